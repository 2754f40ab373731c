"""Settings of the gateway (env prefix ``GATEWAY_``)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from cap_shared.settings import BaseServiceSettings


class Settings(BaseServiceSettings):
    """Gateway settings; defaults are the standalone topology's."""

    model_config = SettingsConfigDict(
        env_prefix="GATEWAY_", env_file=".env", env_ignore_empty=True, extra="ignore"
    )

    service_name: str = "gateway"
    database_url: str = "sqlite+aiosqlite:///var/gateway.db"
    port: int = 8000

    # Where each service's API listens in the distributed topology.
    diagnostic_url: str = "http://127.0.0.1:8001"
    audit_url: str = "http://127.0.0.1:8002"
    labelling_url: str = "http://127.0.0.1:8003"
    notifications_url: str = "http://127.0.0.1:8004"
    #: Upstream timeouts: connecting, then waiting for each read.
    upstream_connect_timeout_s: float = Field(default=2.0, gt=0, le=30)
    upstream_read_timeout_s: float = Field(default=30.0, gt=0, le=300)

    def upstream_urls(self) -> dict[str, str]:
        """Base URL of every service, by name."""
        return {
            "diagnostic": self.diagnostic_url,
            "audit": self.audit_url,
            "labelling": self.labelling_url,
            "notifications": self.notifications_url,
        }
