"""Signing in once the signing keys are due for a re-read (the platform idle for a while) must
not wait for its own transaction: on SQLite the re-read, on another connection, would block
behind the sign-in's write until the busy timeout (503 "database is locked" after 30 s)."""

from __future__ import annotations

import time

from cap_shared.testing.auth import DEV_ADMIN_EMAIL, DEV_ADMIN_PASSWORD
from cap_standalone.testing import standalone_topology


async def test_sign_in_with_stale_keys_on_sqlite(tmp_path) -> None:
    async with standalone_topology(tmp_path) as topology:
        keyring = topology.runtimes["gateway"].keyring  # type: ignore[attr-defined]
        keyring._loaded_at = float("-inf")  # as after more than key_reload_s of idleness
        started = time.monotonic()
        signed = await topology.client.post(
            "/v1/auth/token",
            data={
                "grant_type": "password",
                "username": DEV_ADMIN_EMAIL,
                "password": DEV_ADMIN_PASSWORD,
            },
        )
        assert signed.status_code == 200, signed.text
        assert time.monotonic() - started < 5
