"""The request-id middleware: the id a client sends (when acceptable) or a new one, seen by what
runs inside (headers and ``correlation_id``) and sent back, as ``asgi_correlation_id``'s
middleware does."""

from __future__ import annotations

import json
import logging
import re
import uuid

import httpx
import pytest
from asgi_correlation_id import CorrelationIdMiddleware
from starlette.types import Receive, Scope, Send

from cap_shared.correlation import REQUEST_ID_HEADER, RequestIdMiddleware, current_request_id

HEX = re.compile(r"^[0-9a-f]{32}$")


async def inner(scope: Scope, receive: Receive, send: Send) -> None:
    seen = [v.decode() for k, v in scope["headers"] if k == b"x-request-id"]
    body = json.dumps([seen, current_request_id()]).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"text/plain")],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def answer(app, headers: list[tuple[str, str]]) -> tuple[str, list[str], str]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://x") as c:
        response = await c.get("/", headers=headers)
    seen, bound = response.json()
    return response.headers.get_list(REQUEST_ID_HEADER)[0], seen, bound


@pytest.mark.parametrize(
    "given",
    [
        [],
        [("X-Request-ID", str(uuid.uuid4()))],
        [("X-Request-ID", uuid.uuid4().hex)],  # nginx's $request_id, a trace id
        [("X-Request-ID", "not a uuid")],
        [("X-Request-ID", "")],
        [("X-Request-ID", uuid.uuid4().hex), ("X-Request-ID", "second")],
    ],
)
async def test_the_same_ids_as_the_library_middleware(
    given: list[tuple[str, str]], caplog: pytest.LogCaptureFixture
) -> None:
    ours = await answer(RequestIdMiddleware(inner), given)
    theirs = await answer(CorrelationIdMiddleware(inner, header_name=REQUEST_ID_HEADER), given)
    for sent, seen, bound in (ours, theirs):
        assert seen[0] == bound  # inside, the bound id first (a client's second one stays)
        assert sent == bound  # and the answer carries it
    assert len(ours[1]) == len(theirs[1])
    kept = given[0][1] if given and given[0][1] not in ("", "not a uuid") else None
    if kept is not None:
        assert ours[0] == theirs[0] == kept
    else:
        assert HEX.match(ours[0])
        assert HEX.match(theirs[0])
    warned = [r for r in caplog.records if r.name == "asgi_correlation_id"]
    assert len(warned) == (2 if given and given[0][1] == "not a uuid" else 0)
    assert all(r.levelno == logging.WARNING for r in warned)
