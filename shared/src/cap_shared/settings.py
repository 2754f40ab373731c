"""Settings base shared by every service: one subclass per service with its own env prefix."""

from __future__ import annotations

from enum import StrEnum
from typing import Self

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

#: Placeholder secrets that must never be used outside development.
PLACEHOLDER_SECRETS = frozenset({"", "changethis", "dev-admin-token"})


class Environment(StrEnum):
    """Where the process runs; only ``development`` and ``test`` accept placeholder secrets."""

    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class BaseServiceSettings(BaseSettings):
    """Settings every process of the platform has (database, broker, logging, relay, consumer).

    Subclasses set ``model_config = SettingsConfigDict(env_prefix="<NAME>_")`` so each service is
    configured by its own variables (``DIAGNOSTIC_DATABASE_URL``...). Values shared by every
    service (broker, environment) may also be given once through the ``CAP_`` prefix by the
    process launcher, which copies them into each service's prefix.
    """

    model_config = SettingsConfigDict(env_file=".env", env_ignore_empty=True, extra="ignore")

    service_name: str = "service"
    environment: Environment = Environment.DEVELOPMENT
    database_url: str = "sqlite+aiosqlite:///var/service.db"
    #: Connections per process (PostgreSQL): a deployment runs ~14 processes against one server.
    database_pool_size: int = Field(default=5, ge=1, le=100)
    database_max_overflow: int = Field(default=5, ge=0, le=100)
    broker_url: str = "memory://"
    #: Name prefix of every exchange and queue; tests use a unique one per run.
    broker_namespace: str = "cap"
    log_level: str = "INFO"
    log_json: bool = True
    host: str = "127.0.0.1"
    port: int = 8000
    #: Port of the small health/metrics server of a worker or relay process (0: none).
    probe_port: int = Field(default=0, ge=0, le=65535)
    #: Bearer token of the platform operator for the /ops routes (until the identity issue lands).
    admin_token: str = "dev-admin-token"

    # publishing
    publish_timeout_s: float = Field(default=5.0, gt=0, le=60)
    relay_batch_size: int = Field(default=500, ge=1, le=5000)
    relay_poll_interval_s: float = Field(default=1.0, gt=0, le=60)
    #: On an ephemeral (in-memory) broker, events published within this window are published again
    #: at start-up, because a crash loses what the broker held only in memory (consumers dedupe).
    relay_replay_window_s: float = Field(default=24 * 3600, ge=0)

    # consuming
    consumer_prefetch: int = Field(default=64, ge=1, le=1000)
    #: Broker-side limit on deliveries of one message (crash loops), then dead-lettered.
    consumer_delivery_limit: int = Field(default=10, ge=1, le=100)
    #: Delays before each retry of a failing handler; once used up the message is dead-lettered.
    consumer_retry_delays_s: list[float] = Field(default=[1.0, 10.0, 60.0, 300.0])
    #: Deliveries handled in one transaction when they arrive together (1 disables batching).
    consumer_batch_size: int = Field(default=100, ge=1, le=1000)
    #: Our own bound on one handler run, well below RabbitMQ's delivery-ack timeout (30 min).
    consumer_handler_timeout_s: float = Field(default=60.0, gt=0)

    @property
    def is_development(self) -> bool:
        """True where placeholder secrets and permissive defaults are acceptable."""
        return self.environment in (Environment.DEVELOPMENT, Environment.TEST)

    @model_validator(mode="after")
    def _refuse_placeholder_secrets(self) -> Self:
        if not self.is_development and self.admin_token in PLACEHOLDER_SECRETS:
            msg = "admin_token must be set to a real secret outside development"
            raise ValueError(msg)
        return self
