"""Settings of the web console (env prefix ``WEB_``)."""

from __future__ import annotations

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from cap_shared.settings import PLACEHOLDER_SECRETS, Environment


class Settings(BaseSettings):
    """Where the console finds the API, how it signs people in, where it keeps sessions."""

    model_config = SettingsConfigDict(
        env_prefix="WEB_",
        env_file=".env",
        env_ignore_empty=True,
        extra="ignore",
        populate_by_name=True,
    )

    environment: Environment = Environment.DEVELOPMENT
    host: str = "127.0.0.1"
    port: int = 8010
    #: The platform's public address, as the browser sees it (``CAP_PUBLIC_BASE_URL``): where
    #: the sign-in page is, and the console's own origin (the ingress sends ``/v1`` to the
    #: gateway and the rest to the console; ``make run`` does the same in one process).
    public_base_url: str = Field(
        default="http://127.0.0.1:8000",
        validation_alias=AliasChoices(
            "CAP_PUBLIC_BASE_URL", "WEB_PUBLIC_BASE_URL", "public_base_url"
        ),
    )
    #: Where the console's server reaches the gateway (server to server; no browser).
    gateway_url: str = "http://127.0.0.1:8000"
    #: The console's OAuth client (confidential: the secret never leaves this server).
    client_id: str = "cap-console"
    client_secret: str = "dev-console-secret"
    #: Signs the sign-in cookie and the CSRF tokens.
    secret_key: str = "dev-console-secret"
    #: Sessions (and only sessions): SQLite in development, PostgreSQL when distributed.
    database_url: str = "sqlite+aiosqlite:///var/web.db"
    #: Distributed: the owner of the tables, used by ``cap-web migrate`` only, which creates the
    #: role of :attr:`database_url` if missing and grants it DML (as every service's migration).
    #: Empty: the migration connects as :attr:`database_url`.
    migration_database_url: str | None = None
    #: Migrate the sessions' database when the console starts (standalone, development).
    #: Distributed, ``cap-web migrate`` is an explicit step and this is false.
    migrate_on_start: bool = True
    #: A session unused for this long is forgotten (the refresh token lives 30 days).
    session_idle_s: int = Field(default=12 * 3600, ge=300, le=30 * 24 * 3600)
    #: How long a person has to type their password on the sign-in page.
    sign_in_ttl_s: int = Field(default=900, ge=60, le=3600)
    #: Deadline of one API call from the console's server.
    api_timeout_s: float = Field(default=15.0, gt=0, le=120)
    #: Proxies in front of the console (the ingress, `make up`'s front) whose X-Forwarded-For
    #: is believed: addresses or networks. The browser's address read so is what the console
    #: tells the gateway (X-Forwarded-For), whose rate limits then count per person.
    trusted_proxies: list[str] = Field(default=["127.0.0.1"])
    log_level: str = "INFO"
    log_json: bool = True
    #: OpenTelemetry traces of the console's requests and its calls to the gateway
    #: (``WEB_TELEMETRY_ENABLED``; exporters from the standard ``OTEL_*`` variables).
    telemetry_enabled: bool = False

    @property
    def is_development(self) -> bool:
        """Development and test accept the placeholder secrets and plain-HTTP cookies."""
        return self.environment in (Environment.DEVELOPMENT, Environment.TEST)

    @property
    def public_base(self) -> str:
        """The public address without a trailing slash."""
        return self.public_base_url.rstrip("/")

    @property
    def callback_url(self) -> str:
        """Where the sign-in page sends the browser back (registered for ``cap-console``)."""
        return f"{self.public_base}/console/callback"

    def check(self) -> None:
        """Refuse placeholder secrets outside development."""
        if not self.is_development:
            for name in ("client_secret", "secret_key"):
                if getattr(self, name) in PLACEHOLDER_SECRETS:
                    msg = f"WEB_{name.upper()} must be set outside development"
                    raise ValueError(msg)
