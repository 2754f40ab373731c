"""Settings of the notifications service (env prefix ``NOTIFICATIONS_``)."""

from __future__ import annotations

from typing import Literal, Self

from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict

from cap_shared.settings import BaseServiceSettings


class Settings(BaseServiceSettings):
    """Notifications service settings; defaults are the standalone topology's."""

    model_config = SettingsConfigDict(
        env_prefix="NOTIFICATIONS_", env_file=".env", env_ignore_empty=True, extra="ignore"
    )

    service_name: str = "notifications"
    database_url: str = "sqlite+aiosqlite:///var/notifications.db"
    port: int = 8004
    #: Time zone of a person who chose none.
    default_timezone: str = "Europe/Paris"

    # e-mail -----------------------------------------------------------------------------
    #: ``smtp``, or ``file``: each message written as an .eml file under ``mail_dir`` (the
    #: standalone platform's default, so ``make run`` needs no mail server).
    mail_transport: Literal["smtp", "file"] = "file"
    mail_dir: str = "var/mail"
    mail_from: str = "CAP Coorace <no-reply@cap.coorace.example>"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(default=1025, ge=1, le=65535)
    smtp_username: str | None = None
    smtp_password: str | None = None
    #: STARTTLS after connecting (port 587), or TLS from the start (port 465).
    smtp_starttls: bool = False
    smtp_tls: bool = False
    smtp_timeout_s: float = Field(default=15.0, gt=0, le=60)
    #: Delays between attempts of an e-mail the server did not take; then ``failed``.
    mail_retry_delays_s: list[float] = Field(default=[30, 120, 600, 1800, 7200, 21600])

    # outbound webhooks --------------------------------------------------------------------
    #: Encrypts subscribers' signing secrets at rest (a placeholder is refused in production).
    secret_encryption_key: str = "dev-notifications-secret"
    webhook_timeout_s: float = Field(default=15.0, gt=0, le=30)
    #: Standard Webhooks' example schedule after the first attempt: 5 s ... 24 h.
    webhook_retry_delays_s: list[float] = Field(
        default=[5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400]
    )
    #: Allow subscribers on private or loopback addresses (development and tests only).
    webhook_allow_private: bool = False

    # live feed --------------------------------------------------------------------------------
    #: The live stream's safety net: it reads the feed when a notification of its person is
    #: committed (woken by PostgreSQL NOTIFY on ``cap_feed`` from another process, or by an
    #: after-commit signal in the same one), and at least this often in case a wake-up cannot
    #: come (the LISTEN connection down and reconnecting).
    stream_poll_s: float = Field(default=10.0, gt=0, le=300)
    #: How often the live stream sends a keep-alive comment.
    stream_ping_s: float = Field(default=15.0, gt=0, le=120)
    #: A stream ends after this long (the client reconnects with Last-Event-ID and a fresh token).
    stream_max_s: float = Field(default=900.0, gt=0, le=86400)

    @model_validator(mode="after")
    def _refuse_placeholder_secrets(self) -> Self:
        self.refuse_placeholder("secret_encryption_key", self.secret_encryption_key)
        return self
