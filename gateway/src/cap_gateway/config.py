"""Settings of the gateway (env prefix ``GATEWAY_``)."""

from __future__ import annotations

from typing import Self

from pydantic import BaseModel, Field, model_validator
from pydantic_settings import SettingsConfigDict

from cap_shared.settings import BaseServiceSettings, Environment


class OAuthClientSetting(BaseModel):
    """An app registered to sign people in (authorization code + PKCE)."""

    client_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")
    name: str = Field(min_length=1, max_length=200)
    #: Compared exactly; a loopback ``http://127.0.0.1/...`` one admits any port (RFC 8252).
    redirect_uris: list[str] = Field(min_length=1)
    #: None: a public client (a mobile or single-page app); else the client's secret.
    secret: str | None = None


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

    # sign-in for apps (OAuth 2.0 authorization code + PKCE, OpenID Connect)
    #: The password grant (scripts, development tools); off in production unless set here.
    password_grant_enabled: bool | None = None
    #: How long an authorization code may be exchanged (RFC 6749 §4.1.2: short; single use).
    authorization_code_ttl_s: int = Field(default=60, ge=10, le=600)
    #: How long the sign-in form may be submitted (its anti-forgery token's lifetime).
    sign_in_form_ttl_s: int = Field(default=900, ge=60, le=3600)
    #: Lifetime of an ``id_token``.
    id_token_ttl_s: int = Field(default=300, ge=60, le=3600)
    #: The secret of the web console (``cap-console``, a confidential client).
    console_client_secret: str = "dev-console-secret"
    #: Apps that sign people in, besides the two built in (``cap-mobile``, ``cap-console``):
    #: a JSON list of ``{"client_id", "name", "redirect_uris", "secret"?}`` (no secret: a
    #: public client, PKCE only). ``{public_base_url}`` in a redirect URI is replaced.
    oauth_clients: list[OAuthClientSetting] = Field(default_factory=list)

    # edge
    #: Largest request body accepted (413 beyond).
    max_body_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    #: Origins of the web front-ends allowed by CORS.
    cors_origins: list[str] = Field(
        default=["http://localhost:5173", "http://127.0.0.1:5173", "http://localhost:3000"]
    )
    #: Where rate-limit counters live: ``memory://`` (one replica) or ``async+redis://host:6379``
    #: (replicas share their counters; keys prefixed ``LIMITS:<broker_namespace>``).
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

    def _public_port(self) -> int:
        return self.port

    @property
    def password_grant(self) -> bool:
        """Whether ``grant_type=password`` is accepted (default: outside production only)."""
        if self.password_grant_enabled is None:
            return self.environment != Environment.PRODUCTION
        return self.password_grant_enabled

    def upstream_urls(self) -> dict[str, str]:
        """Base URL of every service, by name."""
        return {
            "diagnostic": self.diagnostic_url,
            "audit": self.audit_url,
            "labelling": self.labelling_url,
            "notifications": self.notifications_url,
        }
