"""Settings of the audit service (env prefix ``AUDIT_``)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from cap_shared.settings import BaseServiceSettings


class Settings(BaseServiceSettings):
    """Audit service settings; defaults are the standalone topology's."""

    model_config = SettingsConfigDict(
        env_prefix="AUDIT_", env_file=".env", env_ignore_empty=True, extra="ignore"
    )

    service_name: str = "audit"
    database_url: str = "sqlite+aiosqlite:///var/audit.db"
    port: int = 8002
