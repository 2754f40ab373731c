"""Settings of the audit service (env prefix ``AUDIT_``)."""

from __future__ import annotations

from typing import Self

from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict

from cap_audit.audits.rules import Scheme
from cap_shared.contracts.schemes import SchemeParameters, SchemeSettings
from cap_shared.settings import BaseServiceSettings

#: The ``source`` of the events the audit service publishes.
SOURCE = "/cap/audit"


class Settings(SchemeSettings, BaseServiceSettings):
    """Audit service settings; defaults are the standalone topology's."""

    model_config = SettingsConfigDict(
        env_prefix="AUDIT_", env_file=".env", env_ignore_empty=True, extra="ignore"
    )

    service_name: str = "audit"
    database_url: str = "sqlite+aiosqlite:///var/audit.db"
    port: int = 8002
    #: Days before a nonconformity's deadline when a reminder is published.
    nc_reminder_days: int = Field(default=15, ge=1, le=90)
    #: Encrypts the bodies' webhook secrets at rest; keep it (a placeholder is refused in production).
    secret_encryption_key: str = "dev-audit-secret"
    #: How long the previous webhook secret stays valid after a rotation.
    webhook_secret_overlap_s: int = Field(default=86_400, ge=0, le=30 * 86_400)
    #: Where signed report documents are stored (local file store).
    files_dir: str = "var/audit-files"
    #: Largest report document accepted.
    report_max_bytes: int = Field(default=20 * 1024 * 1024, ge=1024, le=200 * 1024 * 1024)
    #: Calls to a body's system: timeout, retry delays (then failed), circuit breaker.
    body_timeout_s: float = Field(default=10.0, gt=0, le=30)
    body_retry_delays_s: list[float] = Field(default=[10, 60, 300, 1800, 7200, 21600])
    body_breaker_failures: int = Field(default=5, ge=1, le=100)
    body_breaker_reset_s: float = Field(default=60.0, gt=0, le=3600)
    #: Allow bodies' systems on private or loopback addresses (development and tests only).
    body_allow_private: bool = False
    #: Audits unchanged for this long are reconciled with the body's system.
    reconcile_after_s: int = Field(default=86_400, ge=60)
    #: Largest webhook body accepted from a certification body.
    webhook_max_bytes: int = Field(default=256 * 1024, ge=1024, le=10 * 1024 * 1024)

    @model_validator(mode="after")
    def _refuse_placeholder_secrets(self) -> Self:
        self.refuse_placeholder("secret_encryption_key", self.secret_encryption_key)
        return self


def rules_for(settings: Settings, scheme: Scheme) -> SchemeParameters:
    """The scheme's parameters (the one source shared with the labelling service)."""
    return settings.scheme_parameters(scheme.value)
