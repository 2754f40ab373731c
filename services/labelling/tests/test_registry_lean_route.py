"""The verification routes serve a well-formed request without FastAPI's dependency solving:
the same answers, byte for byte and header for header, as FastAPI's own handler; the same 422s
for what the declared parameters refuse (FastAPI's handler answers those)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute

from cap_labelling.config import Settings
from cap_labelling.deps import get_settings
from cap_labelling.main import SERVICE
from cap_labelling.registry import routes
from cap_shared.deps import get_database
from cap_shared.runtime import ServiceRuntime
from cap_shared.security.deps import api_routes, public

from .test_registry_inline import granted


@pytest.fixture
async def runtime(tmp_path: Path) -> AsyncIterator[ServiceRuntime]:
    settings = Settings()
    settings.database_url = f"sqlite+aiosqlite:///{tmp_path / 'labelling.db'}"
    runtime = SERVICE.build_runtime(settings)
    await runtime.migrate()
    try:
        yield runtime
    finally:
        await runtime.close()


def requests_for(recognition: Any) -> list[tuple[str, dict[str, str]]]:
    by_code = f"/v1/registry/verify/{recognition.verification_code}"
    by_number = f"/v1/registry/recognitions/{recognition.number}"
    return [
        (by_code, {}),
        (by_number, {}),
        (by_code, {"Accept": "text/html"}),
        (by_number, {"Accept": "text/html,application/xhtml+xml"}),
        ("/v1/registry/verify/ZZZZ-ZZZZ-ZZZZ", {}),
        ("/v1/registry/recognitions/CAP-0000-00000", {}),
        # What the declared parameters refuse: 422, from FastAPI's handler either way.
        ("/v1/registry/verify/" + "A" * 41, {}),
        ("/v1/registry/recognitions/-bad", {}),
        ("/v1/registry/recognitions/AB", {}),
        (by_code, {"If-None-Match": "x" * 2001}),
        (by_code, {"Accept": "a" * 1001}),
    ]


async def answers(
    runtime: ServiceRuntime, recognition: Any
) -> list[tuple[int, dict[str, str], bytes]]:
    app = SERVICE.create_app(runtime, manage_runtime=False)
    transport = httpx.ASGITransport(app=app)
    out = []
    async with httpx.AsyncClient(transport=transport, base_url="http://svc") as client:
        for path, headers in requests_for(recognition):
            answer = await client.get(path, headers=headers)
            kept = {k: v for k, v in answer.headers.items() if k not in ("x-request-id", "date")}
            out.append((answer.status_code, kept, answer.content))
        # 304 on the answer's own ETag.
        first = await client.get(f"/v1/registry/verify/{recognition.verification_code}")
        again = await client.get(
            f"/v1/registry/verify/{recognition.verification_code}",
            headers={"If-None-Match": first.headers["etag"]},
        )
        kept = {k: v for k, v in again.headers.items() if k not in ("x-request-id", "date")}
        out.append((again.status_code, kept, again.content))
    return out


def _problem_detail_free(answer: tuple[int, dict[str, str], bytes]) -> tuple[Any, ...]:
    # A problem's instance names the request id: compare the rest.
    status, headers, body = answer
    if headers.get("content-type") == "application/problem+json":
        import json

        problem = json.loads(body)
        problem.pop("instance", None)
        problem.pop("request_id", None)
        headers = {k: v for k, v in headers.items() if k != "content-length"}
        return status, headers, problem
    return status, headers, body


async def test_the_same_answers_as_fastapi_s_own_handler(
    runtime: ServiceRuntime, monkeypatch: pytest.MonkeyPatch
) -> None:
    recognition = await granted(runtime)
    lean = await answers(runtime, recognition)
    statuses = [a[0] for a in lean]
    assert statuses == [200, 200, 200, 200, 404, 404, 422, 422, 422, 422, 422, 304]
    monkeypatch.setattr(routes._VerificationRoute, "get_route_handler", APIRoute.get_route_handler)
    full = await answers(runtime, recognition)
    assert [_problem_detail_free(a) for a in lean] == [_problem_detail_free(a) for a in full]


def test_the_lean_handler_stands_for_exactly_these_dependencies(runtime: ServiceRuntime) -> None:
    """What the lean handler does instead of FastAPI's solving: mark the route public, take
    the database and the settings. A dependency added to these routes (or to the router, or
    where the app includes it) must be added there too: this test says so."""
    app = SERVICE.create_app(runtime, manage_runtime=False)
    served = {
        context.path: context
        for context in api_routes(app)
        if context.path in ("/v1/registry/verify/{code}", "/v1/registry/recognitions/{number}")
    }
    assert len(served) == 2
    for context in served.values():
        assert isinstance(context.original_route, routes._VerificationRoute)
        calls: list[Any] = []
        todo = list(context.dependant.dependencies)
        while todo:
            dependency = todo.pop()
            calls.append(dependency.call)
            todo.extend(dependency.dependencies)
        assert sorted(calls, key=repr) == sorted([public, get_database, get_settings], key=repr)
        assert sorted(p.name for p in context.dependant.header_params) == [
            "accept",
            "if_none_match",
        ]
