"""PgListener's pause and resume (issue 22): no notification received while paused, a
reconnection while paused does not LISTEN, and notifications flow again after resume."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import pytest

from cap_shared.db.listen import PgListener
from cap_shared.db.session import Database
from cap_shared.testing import toy

pytestmark = pytest.mark.postgres

CHANNEL = "cap_listen_test"


async def _eventually(probe: Any, timeout: float = 10.0) -> Any:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not (found := await probe()):
        assert loop.time() < deadline, "not within the deadline"
        await asyncio.sleep(0.02)
    return found


async def test_a_paused_listener_receives_nothing_even_across_a_reconnection(
    make_database: Any,
) -> None:
    db: Database = await make_database("postgresql", "toy", None, toy.metadata)
    received: list[str] = []
    connects: list[int] = []
    listener = PgListener(
        db.url, CHANNEL, received.append, on_connect=lambda: connects.append(1), min_backoff=0.05
    )
    admin = await asyncpg.connect(db.url.set(drivername="postgresql").render_as_string(False))

    async def notify(payload: str) -> None:
        await admin.execute("SELECT pg_notify($1, $2)", CHANNEL, payload)

    async def got(payload: str) -> bool:
        return payload in received

    try:
        with listener.held():
            await _eventually(lambda: _true(listener.listening))
            await notify("one")
            await _eventually(lambda: got("one"))

            await listener.pause()
            assert not listener.listening
            await notify("two")
            await asyncio.sleep(0.3)
            # killed while paused: it reconnects (and says so), still without listening
            pid = listener.backend_pid
            await admin.execute("SELECT pg_terminate_backend($1)", pid)
            await _eventually(lambda: _true(listener.connected and listener.backend_pid != pid))
            await _eventually(lambda: _true(len(connects) == 2))
            await notify("three")
            await asyncio.sleep(0.3)
            assert "two" not in received
            assert "three" not in received

            assert await listener.resume()
            assert listener.listening
            await notify("four")
            await _eventually(lambda: got("four"))
    finally:
        await listener.close()
        await admin.close()
    assert received == ["one", "four"]


async def _true(value: bool) -> bool:
    return value
