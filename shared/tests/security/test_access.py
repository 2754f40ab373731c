"""Shared access control: default deny at app construction, role and scope checks, the token
verifier's cache and key refresh, and the process's garbage-collector tuning."""

from __future__ import annotations

import asyncio
import gc
from pathlib import Path
from typing import Annotated

import httpx
import pytest
from fastapi import APIRouter, Depends

from cap_diagnostic.main import SERVICE
from cap_shared.gc import tune_gc
from cap_shared.security import (
    Allow,
    JwksKeySource,
    Principal,
    Public,
    Role,
    Scope,
    TokenVerifier,
    api_routes,
    route_policy,
)
from cap_shared.security.tokens import InvalidToken
from cap_shared.testing.auth import ISSUER, TestIssuer, bearer
from cap_shared.testing.messaging import wait_until


def service_with(tmp_path: Path, *routers: APIRouter):
    settings = SERVICE.settings()
    settings.database_url = f"sqlite+aiosqlite:///{tmp_path / 'svc.db'}"
    issuer = TestIssuer()
    definition = type(SERVICE)(**{**SERVICE.__dict__, "routers": list(routers)})
    runtime = definition.build_runtime(settings, keys=issuer.key_source())
    return definition, runtime, issuer


def test_an_app_with_a_route_that_declares_no_access_refuses_to_build(tmp_path: Path) -> None:
    router = APIRouter()

    @router.get("/v1/diagnostics/forgotten")
    async def forgotten() -> dict[str, str]:
        return {}

    definition, runtime, _ = service_with(tmp_path, router)
    with pytest.raises(RuntimeError, match="/v1/diagnostics/forgotten"):
        definition.create_app(runtime)


def test_allow_needs_a_role() -> None:
    with pytest.raises(ValueError, match="at least one role"):
        Allow()


async def test_roles_and_scopes_are_enforced_per_route(tmp_path: Path) -> None:
    router = APIRouter()

    @router.get("/v1/audits/feed")
    async def feed(
        principal: Annotated[
            Principal, Depends(Allow(Role.CERTIFICATION_BODY, scopes=[Scope.AUDITS_READ]))
        ],
    ) -> dict[str, str]:
        return {"body": sorted(principal.certification_body_ids())[0]}

    @router.get("/v1/audits/open", dependencies=[Public])
    async def open_route() -> dict[str, str]:
        return {"open": "yes"}

    definition, runtime, issuer = service_with(tmp_path, router)
    await runtime.migrate()
    app = definition.create_app(runtime, manage_runtime=False)
    policies = {r.path: route_policy(r) for r in api_routes(app)}
    assert policies["/v1/audits/feed"] == {Role.CERTIFICATION_BODY}
    assert policies["/v1/audits/open"] == "public"
    body = [{"role": "certification_body", "certification_body_id": "sgs"}]
    audience = "urn:cap:diagnostic"
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://s") as c:
        ok = await c.get(
            "/v1/audits/feed",
            headers=bearer(
                issuer.token(roles=body, kind="client", scope="audits:read", audience=audience)
            ),
        )
        assert ok.status_code == 200
        assert ok.json() == {"body": "sgs"}
        no_scope = await c.get(
            "/v1/audits/feed",
            headers=bearer(
                issuer.token(roles=body, kind="client", scope="audits:write", audience=audience)
            ),
        )
        assert no_scope.status_code == 403
        person = await c.get(
            "/v1/audits/feed",
            headers=bearer(issuer.token(roles=[{"role": "committee"}], audience=audience)),
        )
        assert person.status_code == 403
        assert (await c.get("/v1/audits/feed")).status_code == 401
        assert (await c.get("/v1/audits/open")).json() == {"open": "yes"}
    await runtime.close()


async def test_unknown_kids_refresh_the_keys_at_most_once_per_interval() -> None:
    issuer = TestIssuer()
    fetches = 0

    async def fetch():
        nonlocal fetches
        fetches += 1
        return await issuer.jwks()

    verifier = TokenVerifier(
        issuer=ISSUER,
        audience="urn:cap:diagnostic",
        keys=JwksKeySource(fetch, ttl=300, min_refresh_interval=60),
    )
    principal = await verifier.verify(issuer.token(roles=[{"role": "admin"}]))
    assert principal.has_role(Role.ADMIN)
    assert fetches == 1
    for n in range(20):  # forged kids cannot make us hammer the issuer
        with pytest.raises(InvalidToken, match="unknown key id"):
            await verifier.verify(
                issuer.token(roles=[{"role": "admin"}], headers={"kid": f"forged{n}"})
            )
    assert fetches == 1


async def test_a_rotated_key_is_found_by_refreshing_on_its_unknown_kid() -> None:
    old, new = TestIssuer(kid="old"), TestIssuer(kid="new")
    published = [old.jwk]

    async def fetch():
        return {"keys": list(published)}

    verifier = TokenVerifier(
        issuer=ISSUER,
        audience="urn:cap:diagnostic",
        keys=JwksKeySource(fetch, ttl=300, min_refresh_interval=0),
    )
    await verifier.verify(old.token(roles=[{"role": "admin"}]))
    published.append(new.jwk)
    principal = await verifier.verify(new.token(roles=[{"role": "member", "organisation_id": "o"}]))
    assert principal.organisation_ids() == {"o"}


async def test_verified_tokens_are_cached_until_they_expire() -> None:
    issuer = TestIssuer()
    verifier = TokenVerifier(issuer=ISSUER, audience="urn:cap:diagnostic", keys=issuer.key_source())
    token = issuer.token(roles=[{"role": "committee"}])
    first = await verifier.verify(token)
    assert await verifier.verify(token) is first
    expired = issuer.token(roles=[{"role": "committee"}], expires_in=-60)
    with pytest.raises(InvalidToken):
        await verifier.verify(expired)


async def test_a_cached_token_is_refused_once_it_expires() -> None:
    issuer = TestIssuer()
    verifier = TokenVerifier(
        issuer=ISSUER, audience="urn:cap:diagnostic", keys=issuer.key_source(), leeway=0
    )
    token = issuer.token(roles=[{"role": "committee"}], expires_in=1)
    first = await verifier.verify(token)
    assert await verifier.verify(token) is first  # the cache is warm
    await asyncio.sleep(2.05)  # past exp (whole seconds)
    for _ in range(2):  # refused at once, and not cached again by the refusal
        with pytest.raises(InvalidToken):
            await verifier.verify(token)


async def test_a_cached_token_is_refused_once_its_key_is_withdrawn() -> None:
    old, new = TestIssuer(kid="old"), TestIssuer(kid="new")
    published = [old.jwk, new.jwk]
    fetches = 0

    async def fetch():
        nonlocal fetches
        fetches += 1
        return {"keys": list(published)}

    keys = JwksKeySource(fetch, ttl=30, min_refresh_interval=10)
    verifier = TokenVerifier(issuer=ISSUER, audience="urn:cap:diagnostic", keys=keys)
    withdrawn = old.token(roles=[{"role": "admin"}])
    kept = new.token(roles=[{"role": "admin"}])
    await verifier.verify(withdrawn)
    kept_principal = await verifier.verify(kept)
    for _ in range(3):  # warm: no signature check, no fetch
        await verifier.verify(withdrawn)
    assert fetches == 1
    published.remove(old.jwk)
    await verifier.verify(withdrawn)  # the key set is not due yet: still served
    keys._fetched_at -= 31  # the periodic refresh is due: a cached request starts it
    await verifier.verify(withdrawn)  # (served meanwhile: it does not wait on the issuer)
    await wait_until(lambda: fetches == 2, message="the key set refreshed in the background")
    with pytest.raises(InvalidToken, match="unknown key id"):
        await verifier.verify(withdrawn)
    # Only the withdrawn key's tokens were dropped: the other one is still a cache hit.
    assert await verifier.verify(kept) is kept_principal


async def test_a_new_key_published_keeps_the_cached_tokens() -> None:
    old, new = TestIssuer(kid="old"), TestIssuer(kid="new")
    published = [old.jwk]

    async def fetch():
        return {"keys": list(published)}

    verifier = TokenVerifier(
        issuer=ISSUER,
        audience="urn:cap:diagnostic",
        keys=JwksKeySource(fetch, ttl=300, min_refresh_interval=0),
    )
    token = old.token(roles=[{"role": "admin"}])
    first = await verifier.verify(token)
    published.append(new.jwk)
    await verifier.verify(new.token(roles=[{"role": "admin"}]))  # unknown kid: refreshed
    assert await verifier.verify(token) is first


async def test_the_verified_token_cache_is_bounded() -> None:
    issuer = TestIssuer()
    verifier = TokenVerifier(
        issuer=ISSUER, audience="urn:cap:diagnostic", keys=issuer.key_source(), cache_size=2
    )
    first, second, third = (issuer.token(roles=[{"role": "admin"}]) for _ in range(3))
    a = await verifier.verify(first)
    b = await verifier.verify(second)
    assert await verifier.verify(first) is a  # used again: the most recent now
    await verifier.verify(third)  # evicts the least recently used, ``second``
    assert await verifier.verify(first) is a
    assert await verifier.verify(second) is not b  # verified afresh: an equal new principal
    assert await verifier.verify(second) == b


def test_gc_tuning_freezes_start_up_objects_and_sets_thresholds() -> None:
    before = gc.get_threshold()
    try:
        tune_gc([50_000, 20, 100])
        assert gc.get_threshold() == (50_000, 20, 100)
        assert gc.get_freeze_count() > 1000
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)


async def test_an_unreachable_database_is_a_503_problem_not_a_500(tmp_path: Path) -> None:
    issuer = TestIssuer()
    settings = SERVICE.settings()
    settings.database_url = "postgresql+asyncpg://postgres@127.0.0.1:9/nowhere"
    runtime = SERVICE.build_runtime(settings, keys=issuer.key_source())
    app = SERVICE.create_app(runtime, manage_runtime=False)
    admin = bearer(issuer.token(roles=[{"role": "admin"}]))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://s") as c:
        response = await c.get("/ops/dead-letters", headers=admin)
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["retry-after"] == "5"
    assert response.json()["type"].endswith("/dependency-unavailable")
    await runtime.close()


@pytest.mark.postgres
async def test_a_connection_the_server_closed_is_replaced_not_used() -> None:
    """Without pre-ping, the pool still never hands out a connection PostgreSQL has closed
    (server restart, administrator, idle timeout): the checkout check replaces it."""
    import asyncio

    import asyncpg
    import sqlalchemy as sa

    from cap_shared.db.session import Database
    from cap_shared.testing.services import POSTGRES_URL

    db = Database(POSTGRES_URL.replace("postgresql://", "postgresql+asyncpg://"), pool_size=1)
    try:
        async with db.engine.connect() as conn:
            pid = (await conn.execute(sa.text("SELECT pg_backend_pid()"))).scalar_one()
        admin = await asyncpg.connect(POSTGRES_URL)
        try:
            assert await admin.fetchval("SELECT pg_terminate_backend($1)", pid)
        finally:
            await admin.close()
        await asyncio.sleep(0.2)  # the driver sees the socket close
        async with db.engine.connect() as conn:
            new_pid = (await conn.execute(sa.text("SELECT pg_backend_pid()"))).scalar_one()
        assert new_pid != pid
    finally:
        await db.dispose()
