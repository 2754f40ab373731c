"""Settings base shared by every service: one subclass per service with its own env prefix."""

from __future__ import annotations

from enum import StrEnum

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

#: Placeholder secrets that must never be used outside development.
PLACEHOLDER_SECRETS = frozenset(
    {
        "",
        "changethis",
        "dev-key-secret",
        "cap-admin-dev",
        "dev-audit-secret",
        "dev-notifications-secret",
        "dev-console-secret",
    }
)


class Environment(StrEnum):
    """Where the process runs; only ``development`` and ``test`` accept placeholder secrets."""

    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


#: The shortest audit-trail retention accepted: the current certification cycle plus one full
#: cycle (two three-year cycles, leap days included), ISO/IEC 17021-1 §9.9.
MIN_AUDIT_RETENTION_DAYS = 6 * 365 + 2


class BaseServiceSettings(BaseSettings):
    """Settings every process of the platform has (database, broker, logging, relay, consumer).

    Subclasses set ``model_config = SettingsConfigDict(env_prefix="<NAME>_")`` so each service is
    configured by its own variables (``DIAGNOSTIC_DATABASE_URL``...). Values shared by every
    service (broker, environment) may also be given once through the ``CAP_`` prefix by the
    process launcher, which copies them into each service's prefix.
    """

    model_config = SettingsConfigDict(
        env_file=".env", env_ignore_empty=True, extra="ignore", populate_by_name=True
    )

    service_name: str = "service"
    environment: Environment = Environment.DEVELOPMENT
    #: Where the API, worker and relay connect. On PostgreSQL, as a role that does not own the
    #: tables, so row-level security applies to it (docs/operations.md).
    database_url: str = "sqlite+aiosqlite:///var/service.db"
    #: Where ``migrate`` connects: the role owning the tables. It creates the role of
    #: ``database_url`` if missing and grants it DML only. Empty: ``database_url`` (one role;
    #: PostgreSQL's row-level security then does not apply to the services).
    migration_database_url: str = ""
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
    #: A periodic job's interval in seconds, by job name, instead of the one it is declared
    #: with (operators; tests run a job every second). Every replica runs it once per interval.
    job_intervals_s: dict[str, float] = Field(default_factory=dict)
    #: The ops port: /healthz, /readyz and /metrics of this process (API, worker or relay),
    #: apart from the public port (0: none; 9000 in containers). Prometheus scrapes it.
    probe_port: int = Field(default=0, ge=0, le=65535)
    #: Serve /docs and /openapi.json (default: in development and test only).
    docs_enabled: bool | None = None
    #: Garbage-collector thresholds once start-up is done (see cap_shared.gc); CPython's
    #: default first threshold, 700, makes the collector a large share of a request's cost.
    gc_thresholds: list[int] = Field(default=[50_000, 20, 100], min_length=3, max_length=3)
    #: OpenTelemetry traces, metrics and logs of HTTP requests (FastAPI's native telemetry;
    #: exporters from the standard OTEL_* variables). Off by default: it costs on every request.
    telemetry_enabled: bool = False

    #: The platform's public address, as clients reach the gateway (``https://cap.coorace.org``):
    #: the OAuth issuer, every absolute URL in metadata, links in the registry, certificates and
    #: e-mails. One variable for every process, ``CAP_PUBLIC_BASE_URL`` (no per-service
    #: prefix); empty: ``http://127.0.0.1:<the gateway's port>`` (:attr:`public_base`).
    public_base_url: str = Field(
        default="", validation_alias=AliasChoices("CAP_PUBLIC_BASE_URL"), max_length=200
    )

    # authentication: access tokens are issued by the gateway and verified here, by every process
    #: The ``iss`` every access token must carry; empty: the public base URL (the OAuth issuer).
    auth_issuer: str = ""
    #: This process's own ``aud``; empty means ``urn:cap:<service_name>``.
    auth_audience: str = ""
    #: Where the gateway publishes its public keys; empty: under the public base URL.
    auth_jwks_url: str = ""
    auth_jwks_cache_s: float = Field(default=300.0, gt=0, le=86400)
    #: Clock skew tolerated on exp/nbf/iat.
    auth_leeway_s: float = Field(default=30.0, ge=0, le=300)

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

    # audit trail (cap_shared.audit, docs/audit-trail.md)
    #: Where the ``audit-anchor`` job appends the chain's head (``<service>.jsonl``): storage
    #: outside the database, which its administrators cannot rewrite.
    audit_anchor_dir: str = "var/audit-anchors"
    #: How often the chain's head is anchored (what is appended after the last anchor is
    #: protected by the chain alone).
    audit_anchor_interval_s: float = Field(default=3600.0, gt=0)
    #: How long entries are kept: ISO/IEC 17021-1 §9.9 asks the records of a certification to be
    #: kept for the current cycle and the next one (two three-year cycles); seven years leave a
    #: year's margin; less than two cycles (2192 days) is refused. Purged by the ``audit-purge``
    #: job, which keeps the chain verifiable.
    audit_retention_days: int = Field(default=7 * 365 + 2, ge=MIN_AUDIT_RETENTION_DAYS)
    audit_purge_interval_s: float = Field(default=86400.0, gt=0)

    @property
    def owner_database_url(self) -> str:
        """Where migrations run: ``migration_database_url``, or ``database_url`` if unset."""
        return self.migration_database_url or self.database_url

    def _public_port(self) -> int:
        """The gateway's port when no public base URL is set (the gateway says its own; a
        service, whose own port is not the gateway's, says the gateway's default)."""
        return 8000

    @property
    def public_base(self) -> str:
        """The public base URL without a trailing slash (see :attr:`public_base_url`)."""
        return (self.public_base_url or f"http://127.0.0.1:{self._public_port()}").rstrip("/")

    @property
    def issuer(self) -> str:
        """The ``iss`` of the platform's tokens: ``auth_issuer``, or the public base URL."""
        return self.auth_issuer or self.public_base

    @property
    def jwks_url(self) -> str:
        """Where this process reads the gateway's public keys."""
        return self.auth_jwks_url or f"{self.public_base}/.well-known/jwks.json"

    @property
    def is_development(self) -> bool:
        """True where placeholder secrets and permissive defaults are acceptable."""
        return self.environment in (Environment.DEVELOPMENT, Environment.TEST)

    @property
    def serve_docs(self) -> bool:
        """Whether the interactive docs and the OpenAPI document are served."""
        return self.is_development if self.docs_enabled is None else self.docs_enabled

    @property
    def token_audience(self) -> str:
        """The ``aud`` an access token must name to be accepted by this process."""
        return self.auth_audience or f"urn:cap:{self.service_name}"

    def refuse_placeholder(self, name: str, value: str) -> None:
        """Raise if a secret still has a placeholder value outside development."""
        if not self.is_development and value in PLACEHOLDER_SECRETS:
            msg = f"{name} must be set to a real secret outside development"
            raise ValueError(msg)
