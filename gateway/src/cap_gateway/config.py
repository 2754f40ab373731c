"""Settings of the gateway (env prefix ``GATEWAY_``)."""

from __future__ import annotations

from typing import Self

from pydantic import Field, model_validator
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

    #: Address clients use to reach the gateway (invitation links, metadata).
    public_url: str = "http://127.0.0.1:8000"

    # identity and tokens
    #: Encrypts the private signing keys stored in the identity database.
    key_encryption_secret: str = "dev-key-secret"
    access_token_ttl_s: int = Field(default=900, ge=60, le=3600)
    refresh_token_ttl_s: int = Field(default=30 * 24 * 3600, ge=3600, le=90 * 24 * 3600)
    client_token_ttl_s: int = Field(default=900, ge=60, le=3600)
    #: A new signing key is published this long before it signs (covers services' JWKS caches).
    key_publish_lead_s: float = Field(default=300.0, ge=0, le=86400)
    #: Keys are re-read from the database this often (several gateway replicas share them).
    key_reload_s: float = Field(default=30.0, gt=0, le=3600)
    invitation_ttl_s: int = Field(default=7 * 24 * 3600, ge=3600, le=30 * 24 * 3600)
    #: Argon2id parameters; the floors are OWASP's (19 MiB, 2 passes, 1 lane).
    password_time_cost: int = Field(default=2, ge=2, le=10)
    password_memory_kib: int = Field(default=19456, ge=19456, le=1048576)
    password_parallelism: int = Field(default=1, ge=1, le=8)
    #: Create a first administrator at start-up if the e-mail has no account yet (the password
    #: has a development default only).
    bootstrap_admin: bool = True
    bootstrap_admin_email: str = "admin@coorace.example"
    bootstrap_admin_password: str = "cap-admin-dev"

    # edge
    #: Largest request body accepted (413 beyond).
    max_body_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    #: Origins of the web front-ends allowed by CORS.
    cors_origins: list[str] = Field(
        default=["http://localhost:5173", "http://127.0.0.1:5173", "http://localhost:3000"]
    )
    #: Where rate-limit counters live: ``memory://`` (one replica) or ``async+redis://host:6379``.
    rate_limit_storage: str = "memory://"
    rate_limit_user: str = "1200/minute"
    rate_limit_client: str = "3000/minute"
    rate_limit_anonymous: str = "300/minute"
    #: Sign-in attempts per account (password grant).
    rate_limit_login: str = "10/minute"
    #: Sign-in attempts per address (password and client-credentials grants, invitation
    #: acceptance); higher, since an office behind one address has many people.
    rate_limit_login_address: str = "60/minute"
    #: Flagging a recognition from the public registry (anonymous POST), per address.
    rate_limit_public_write: str = "10/hour"
    #: Public answers (the registry) kept by the gateway, at most this many (0: no cache).
    public_cache_entries: int = Field(default=2048, ge=0, le=100_000)
    #: Proxies whose X-Forwarded-For is believed (the ingress); others' are ignored.
    trusted_proxies: list[str] = Field(default_factory=list)
    #: How long /v1/me/overview waits for each service.
    overview_timeout_s: float = Field(default=2.0, gt=0, le=30)

    @model_validator(mode="after")
    def _refuse_placeholder_secrets(self) -> Self:
        self.refuse_placeholder("key_encryption_secret", self.key_encryption_secret)
        if self.bootstrap_admin:
            self.refuse_placeholder("bootstrap_admin_password", self.bootstrap_admin_password)
        return self

    def upstream_urls(self) -> dict[str, str]:
        """Base URL of every service, by name."""
        return {
            "diagnostic": self.diagnostic_url,
            "audit": self.audit_url,
            "labelling": self.labelling_url,
            "notifications": self.notifications_url,
        }
