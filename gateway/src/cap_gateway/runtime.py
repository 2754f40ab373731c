"""The gateway's runtime: the shared one plus the keyring, password hasher and rate limiter."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from cap_gateway.accounts import service as accounts_service
from cap_gateway.auth.keyring import Keyring
from cap_gateway.auth.oauth import registered_clients
from cap_gateway.auth.passwords import Passwords
from cap_gateway.auth.service import Identity
from cap_gateway.config import Settings
from cap_gateway.models import idempotent_requests, tables
from cap_gateway.ratelimit import ClientAddress, RateLimiter
from cap_shared.db.session import Database
from cap_shared.idempotency import SqlIdempotencyStore, purge_requests
from cap_shared.jobs import JobContext, PeriodicJob
from cap_shared.messaging import Broker
from cap_shared.runtime import ServiceRuntime
from cap_shared.security import JwksKeySource

MIGRATIONS = Path(__file__).parent / "migrations"

logger = logging.getLogger(__name__)


async def purge_idempotent_requests(session: AsyncSession, _context: JobContext) -> int:
    """Forget Idempotency-Key answers past their retention (24 h)."""
    return await purge_requests(session, idempotent_requests)


#: The gateway's periodic jobs (run by its relay process: the gateway has no worker).
JOBS = (PeriodicJob("idempotency-keys", purge_idempotent_requests, interval_s=3600),)


class GatewayRuntime(ServiceRuntime):
    """Identity database, outbox relay, token issuing and the edge's counters."""

    settings: Settings

    def __init__(
        self, settings: Settings, *, db: Database | None = None, broker: Broker | None = None
    ) -> None:
        # The gateway verifies tokens with its own keys, read in-process (no HTTP to itself).
        super().__init__(
            settings=settings,
            tables=tables,
            migrations=MIGRATIONS,
            db=db,
            broker=broker,
            keys=JwksKeySource(self._jwks, ttl=settings.key_reload_s, min_refresh_interval=1.0),
            jobs=JOBS,
        )
        self.keyring = Keyring(
            self.db,
            secret=settings.key_encryption_secret,
            publish_lead=settings.key_publish_lead_s,
            reload_interval=settings.key_reload_s,
            token_lifetime=max(settings.access_token_ttl_s, settings.client_token_ttl_s)
            + settings.auth_leeway_s,
        )
        self.passwords = Passwords(
            time_cost=settings.password_time_cost,
            memory_kib=settings.password_memory_kib,
            parallelism=settings.password_parallelism,
        )
        self.identity = Identity(settings=settings, keyring=self.keyring, passwords=self.passwords)
        self.limiter = RateLimiter(
            settings.rate_limit_storage,
            {
                "user": settings.rate_limit_user,
                "client": settings.rate_limit_client,
                "anonymous": settings.rate_limit_anonymous,
                "public-write": settings.rate_limit_public_write,
                "login": settings.rate_limit_login_address,
                "login-account": settings.rate_limit_login,
            },
            precise=frozenset({"login", "login-account"}),
            namespace=settings.broker_namespace,
            service=self.name,
        )
        self.addresses = ClientAddress(settings.trusted_proxies)
        #: Apps that sign people in (authorization code + PKCE), by client id.
        self.oauth_clients = registered_clients(settings)
        # A claim whose request never answered (its gateway died) is taken over once the
        # slowest upstream answer would have come.
        lease = settings.upstream_connect_timeout_s + settings.upstream_read_timeout_s + 30
        self.idempotency = SqlIdempotencyStore(
            self.db, idempotent_requests, lease=timedelta(seconds=lease)
        )
        self._prepared = False

    async def run_relay(self, stop: asyncio.Event) -> None:
        """Relay process body: the outbox, and the periodic jobs (the gateway has no worker)."""
        await asyncio.gather(super().run_relay(stop), self.run_jobs(stop))

    async def _jwks(self) -> dict[str, Any]:
        return await self.keyring.jwks()

    async def prepare(self) -> None:
        """Make sure a signing key exists and the bootstrap administrator too (idempotent)."""
        if self._prepared:
            return
        await self.keyring.ensure_key()
        settings = self.settings
        if settings.bootstrap_admin:
            async with self.db.session() as session:
                # Replicas start together: one creates the administrator, the others find it.
                await self.db.lock(session, "gateway-bootstrap-admin")
                created = await accounts_service.ensure_admin(
                    session,
                    passwords=self.passwords,
                    email=settings.bootstrap_admin_email,
                    password=settings.bootstrap_admin_password,
                )
            if created:
                logger.info("created the administrator %s", settings.bootstrap_admin_email)
        self._prepared = True
