"""Metrics are scraped on an ops port, never on the platform's public origin: not on the
gateway, not through its proxy to a service. `make run`'s one process serves every part's ops
routes on 127.0.0.1:9464 by default (CAP_OPS_PORT)."""

from __future__ import annotations

import logging
import socket

import httpx
import pytest

from cap_shared.opsport import serving
from cap_shared.testing.metrics import samples
from cap_shared.testing.net import free_port
from cap_standalone.__main__ import ops_port
from cap_standalone.ops import ops_app
from cap_standalone.platform import StandaloneSettings
from cap_standalone.testing import Topology

#: What a caller of the public origin tries, to reach a process's metrics.
PUBLIC_TRIES = (
    "/metrics",
    "/v1/metrics",
    "/v1/diagnostic/metrics",
    "/v1/notifications/metrics",
    "/v1/referentials/metrics",
)


async def test_the_public_origin_serves_no_metrics(topology: Topology) -> None:
    for path in PUBLIC_TRIES:
        for headers in ({}, topology.admin):
            answer = await topology.client.get(path, headers=headers)
            assert answer.status_code in (404, 401), (path, answer.status_code)
            assert "cap_http_requests_total" not in answer.text, path
    assert (await topology.client.get("/metrics", headers=topology.admin)).status_code == 404


async def test_the_platform_ops_port_serves_every_part(standalone: Topology) -> None:
    port = free_port()
    async with (
        serving(ops_app(dict(standalone.runtimes)), "127.0.0.1", port),
        httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as ops,
    ):

        async def served() -> dict[str, float]:
            """The gateway's /v1/me answers counted so far, by status (the registry is the
            process's: other tests of this worker count there too)."""
            scraped = await ops.get("/metrics")
            assert scraped.status_code == 200
            found = samples(
                scraped.text, "cap_http_requests_total", service="gateway", route="/v1/me"
            )
            return {s.labels["status"]: s.value for s in found}

        before = await served()
        assert (await standalone.client.get("/v1/me", headers=standalone.admin)).status_code == 200
        after = await served()
        counted = {k: v - before.get(k, 0.0) for k, v in after.items() if v != before.get(k, 0.0)}
        assert counted == {"200": 1.0}
        scraped = await ops.get("/metrics")
        pools = {
            s.labels["service"] for s in samples(scraped.text, "cap_db_pool_size") if s.value > 0
        }
        assert set(standalone.runtimes) <= pools  # every part's SQLite pool
        ready = await ops.get("/readyz")
        assert ready.status_code == 200, ready.text
        checks = ready.json()["checks"]
        assert checks["gateway.database"] == checks["diagnostic.broker"] == "ok"
        assert set(checks.values()) == {"ok"}
        assert (await ops.get("/healthz")).json() == {"status": "ok", "service": "standalone"}


def test_make_run_serves_the_ops_routes_on_127_0_0_1_9464_by_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("CAP_OPS_PORT", "CAP_OPS_HOST"):
        monkeypatch.delenv(name, raising=False)
    settings = StandaloneSettings(_env_file=None)  # type: ignore[call-arg]
    assert (settings.ops_host, settings.ops_port) == ("127.0.0.1", 9464)
    monkeypatch.setenv("CAP_OPS_PORT", "0")
    assert StandaloneSettings(_env_file=None).ops_port == 0  # type: ignore[call-arg]


async def test_a_taken_ops_port_is_logged_and_the_platform_runs_on(
    standalone: Topology, caplog: pytest.LogCaptureFixture
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        settings = StandaloneSettings(ops_port=port, _env_file=None)  # type: ignore[call-arg]
        platform = type("P", (), {"runtimes": dict(standalone.runtimes)})()
        with caplog.at_level(logging.ERROR):
            async with ops_port(platform, settings):  # type: ignore[arg-type]
                assert (await standalone.client.get("/healthz")).status_code == 200
    assert f"ops port 127.0.0.1:{port} unavailable" in caplog.text
