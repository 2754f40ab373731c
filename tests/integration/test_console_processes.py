"""The console in the distributed topology as `make up` runs it: ``cap-web`` its own process
(sessions on PostgreSQL), the gateway's processes on PostgreSQL and RabbitMQ, and the front giving
the browser one origin for both (the console's callback is the only redirect URI of
``cap-console``)."""

from __future__ import annotations

import asyncpg
import httpx
import pytest

from cap_shared.testing import services
from cap_shared.testing.auth import DEV_ADMIN_EMAIL, DEV_ADMIN_PASSWORD
from cap_standalone.testing import Topology
from cap_web.testing import ConsoleClient


@pytest.mark.slow
@pytest.mark.replicas
@pytest.mark.timeout(600)  # 32 processes (two of each) to start, each importing its package
async def test_sign_in_through_the_console_on_separate_processes(processes: Topology) -> None:
    async with httpx.AsyncClient(base_url=processes.public_url, timeout=30) as http:
        console = ConsoleClient(http)
        front = await console.get("/")
        assert front.status_code == 200
        assert "Se connecter" in front.text

        # /connexion (console) -> /v1/auth/authorize (gateway's page) -> /console/callback
        # (console) -> the page asked: every hop on the one origin.
        landed = await console.sign_in(DEV_ADMIN_EMAIL, DEV_ADMIN_PASSWORD, next="/?depuis=test")
        assert (landed.request.url.path, landed.request.url.query) == ("/", b"depuis=test")
        assert str(landed.request.url).startswith(processes.public_url)
        # Signed in, the front page sends each person to their own start page.
        assert landed.status_code == 303, landed.text[:2000]
        assert landed.headers["location"] != "/connexion"
        session = http.cookies.get("cap_session")
        assert session

        # The session lives in the console's own PostgreSQL database, not in a file.
        database = f"cap_t_{services.worker_id()}_proc_web"
        conn = await asyncpg.connect(services.database_url(database))
        try:
            assert await conn.fetchval("SELECT count(*) FROM console_session") == 1
        finally:
            await conn.close()

        # The API is on the same origin (the front sends /v1 to the gateway).
        assert (await http.get("/v1/auth/userinfo")).status_code == 401
        assert (await http.get("/healthz")).status_code == 200

        signed_out = await console.post("/deconnexion")
        assert signed_out.status_code == 303
        assert "cap_session" not in http.cookies
        http.cookies.set("cap_session", session)  # the old cookie opens nothing any more
        again = await http.get("/")
        assert again.status_code == 200
        assert "Se connecter" in again.text
