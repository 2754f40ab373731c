"""Odd paths and streamed bodies at the edge (issue 15 items 5, 7 and 8): a control character,
an encoded ``/`` or a dot segment never reaches a route it was not checked for, never gets a
500, and a streamed body over the limit is 413 whoever reads it."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import unquote

import httpx
import pytest
from fastapi import FastAPI
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from cap_shared.testing.auth import sign_in
from cap_shared.testing.siret import make_siret

REQUEST_ID = "0b7c1d2e-3f40-4a5b-8c6d-7e8f90a1b2c3"


class Labelling:
    """A stand-in labelling service: the registry's complaint route, and an echo elsewhere."""

    def __init__(self) -> None:
        self.complaints: list[str] = []
        self.seen: list[str] = []
        self.app = Starlette(
            routes=[
                Route(
                    "/v1/registry/recognitions/{number}/complaints",
                    self.complain,
                    methods=["POST"],
                ),
                Route("/{path:path}", self.echo, methods=["GET", "POST"]),
            ]
        )

    async def complain(self, request: Request) -> JSONResponse:
        self.complaints.append(request.path_params["number"])
        return JSONResponse({"number": request.path_params["number"]}, status_code=201)

    async def echo(self, request: Request) -> JSONResponse:
        self.seen.append(request.scope["path"])
        return JSONResponse({"path": request.scope["path"]})


@pytest.fixture
async def labelling(gateway_factory) -> tuple[httpx.AsyncClient, Labelling]:
    upstream = Labelling()
    client, _ = await gateway_factory(
        transports={
            "labelling": httpx.ASGITransport(app=upstream.app),
            "diagnostic": httpx.ASGITransport(app=upstream.app),
        },
        rate_limit_public_write="3/hour",
    )
    return client, upstream


async def raw_call(client: httpx.AsyncClient, method: str, raw_path: bytes) -> tuple[int, Any]:
    """Call the gateway with a path exactly as given (an HTTP client would normalise it)."""
    app = client._transport.app  # type: ignore[attr-defined]
    body = b'{"name": "Alex", "email": "alex@example.org", "message": "x"}'
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": unquote(raw_path.decode("ascii")),
        "raw_path": raw_path,
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"cap.test"),
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"x-request-id", REQUEST_ID.encode()),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("cap.test", 80),
    }
    sent = [{"type": "http.request", "body": body, "more_body": False}]
    answer: dict[str, Any] = {"body": b""}

    async def receive() -> dict[str, Any]:
        return sent.pop(0) if sent else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            answer["status"] = message["status"]
            answer["headers"] = dict(message["headers"])
        else:
            answer["body"] += message.get("body", b"")

    await app(scope, receive, send)
    assert answer["headers"][b"content-type"] == b"application/problem+json"
    return answer["status"], json.loads(answer["body"])


class TestControlCharacters:
    @pytest.mark.parametrize(
        "path",
        [
            "/v1/registry/verify/%00",
            "/v1/diagnostics/%01",
            "/v1/registry/recognitions/a%0d%0ab",
            "/v1/registry/verify/%7F",
            "/v1/users/%00",
            "/v1/organisations/a%0Ab",
        ],
    )
    async def test_a_control_character_in_the_path_is_a_404_problem_with_the_request_id(
        self, labelling, path
    ) -> None:
        client, upstream = labelling
        admin = await sign_in(client)
        for headers in ({}, admin):
            response = await client.get(path, headers={"X-Request-ID": REQUEST_ID, **headers})
            assert response.status_code == 404, response.text
            assert response.headers["content-type"] == "application/problem+json"
            assert response.json()["request_id"] == REQUEST_ID
            assert response.headers["x-request-id"] == REQUEST_ID
        assert upstream.seen == []

    async def test_a_control_character_in_a_field_is_a_422_naming_it(self, client) -> None:
        admin = await sign_in(client)
        nul = "a\x00b"
        calls: list[tuple[str, str, dict[str, Any], str]] = [
            ("GET", "/v1/users", {"params": {"role": nul}, "headers": admin}, "query.role"),
            (
                "GET",
                "/v1/users",
                {"params": {"organisation_id": nul}, "headers": admin},
                "query.organisation_id",
            ),
            (
                "POST",
                "/v1/auth/token",
                {"data": {"grant_type": "password", "username": nul, "password": "x"}},
                "body.username",
            ),
            (
                "POST",
                "/v1/auth/token",
                {
                    "data": {
                        "grant_type": "client_credentials",
                        "client_id": nul,
                        "client_secret": "x",
                    }
                },
                "body.client_id",
            ),
            (
                "POST",
                "/v1/invitations",
                {
                    "json": {"email": "n@coorace.example", "name": nul, "role": "committee"},
                    "headers": admin,
                },
                "body.name",
            ),
            (
                "POST",
                "/v1/invitations",
                {
                    "json": {
                        "email": "n@coorace.example",
                        "name": "N",
                        "role": "member",
                        "organisation_id": nul,
                    },
                    "headers": admin,
                },
                "body.organisation_id",
            ),
            (
                "POST",
                "/v1/organisations",
                {
                    "json": {
                        "siret": make_siret(77),
                        "name": nul,
                        "siae_types": ["ACI"],
                        "region": "52",
                    },
                    "headers": admin,
                },
                "body.name",
            ),
            (
                "POST",
                "/v1/api-clients",
                {
                    "json": {
                        "name": nul,
                        "certification_body_id": "sgs",
                        "scopes": ["audits:read"],
                    },
                    "headers": admin,
                },
                "body.name",
            ),
        ]
        for method, path, kwargs, field in calls:
            response = await client.request(method, path, **kwargs)
            assert response.status_code == 422, (path, field, response.text)
            assert [e["field"] for e in response.json()["errors"]] == [field]


class TestPathConfusion:
    async def test_encoded_slashes_cannot_reach_the_registry_past_its_write_limit(
        self, labelling
    ) -> None:
        client, upstream = labelling
        smuggled = "/v1/applications/x%2F..%2F..%2Fregistry%2Frecognitions%2F7%2Fcomplaints"
        body = {"name": "Alex", "email": "alex@example.org", "message": "Signalement."}
        answers = [await client.post(smuggled, json=body) for _ in range(5)]
        assert [a.status_code for a in answers] == [404] * 5
        assert all(a.headers["content-type"] == "application/problem+json" for a in answers)
        assert upstream.complaints == []
        direct = [
            (await client.post("/v1/registry/recognitions/7/complaints", json=body)).status_code
            for _ in range(4)
        ]
        assert direct == [201, 201, 201, 429]
        assert upstream.complaints == ["7", "7", "7"]

    async def test_a_token_does_not_lift_the_public_write_limit(self, labelling) -> None:
        client, upstream = labelling
        admin = await sign_in(client)
        body = {"name": "Alex", "email": "alex@example.org", "message": "Signalement."}
        statuses = [
            (
                await client.post(
                    "/v1/registry/recognitions/8/complaints", json=body, headers=admin
                )
            ).status_code
            for _ in range(4)
        ]
        assert statuses == [201, 201, 201, 429]
        assert upstream.complaints == ["8", "8", "8"]
        anonymous = await client.post("/v1/registry/recognitions/8/complaints", json=body)
        assert anonymous.status_code == 201  # counted apart from the account

    @pytest.mark.parametrize(
        "raw_path",
        [
            b"/v1/applications/../registry/recognitions/7/complaints",
            b"/v1/applications/x/../../registry/recognitions/7/complaints",
            b"/v1/applications/%2e%2e/registry/recognitions/7/complaints",
            b"/v1/applications/x/%2E%2E/%2e%2e/registry/recognitions/7/complaints",
            b"/v1/applications/./registry",
            b"/v1/applications/x%2fy",
            b"/v1/applications/x%5C..%5Cregistry",
        ],
    )
    async def test_dot_segments_and_encoded_separators_are_refused(
        self, labelling, raw_path
    ) -> None:
        client, upstream = labelling
        status, problem = await raw_call(client, "POST", raw_path)
        assert status == 404
        assert problem["request_id"] == REQUEST_ID
        assert upstream.complaints == []
        assert upstream.seen == []

    async def test_the_upstream_sees_the_path_the_gateway_checked(self, labelling) -> None:
        client, _ = labelling
        # "%25" is a literal "%": decoded once at the gateway, it must not be decoded again.
        response = await client.get("/v1/registry/verify/%2541%20b%C3%A9")
        assert response.status_code == 200
        assert response.json()["path"] == "/v1/registry/verify/%41 bé"
        response = await client.get("/v1/applications/a;b=c/d")
        assert response.json()["path"] == "/v1/applications/a;b=c/d"
        response = await client.get("/v1/applications/a%3Fb%23c")  # not a query, nor a fragment
        assert response.json()["path"] == "/v1/applications/a?b#c"


class TestStreamedBodies:
    @staticmethod
    async def chunks(head: bytes, tail: bytes) -> AsyncIterator[bytes]:
        yield head
        for _ in range(8):
            yield b"b" * 1024
        yield tail

    async def test_a_streamed_body_over_the_limit_is_413_for_every_reader(
        self, gateway_factory
    ) -> None:
        service = FastAPI()

        @service.post("/v1/diagnostics/x")
        async def create(data: dict[str, str]) -> dict[str, int]:
            return {"size": len(data["data"])}

        client, _ = await gateway_factory(
            transports={"diagnostic": httpx.ASGITransport(app=service)}, max_body_bytes=2048
        )
        form = "application/x-www-form-urlencoded"
        for path, kind, head, tail in [
            ("/v1/diagnostics/x", "application/json", b'{"data": "', b'"}'),  # a service
            ("/v1/invitations/accept", "application/json", b'{"token": "', b'"}'),  # the gateway
            ("/v1/auth/revoke", form, b"token=", b""),
        ]:
            response = await client.post(
                path,
                content=self.chunks(head, tail),
                headers={"content-type": kind, "X-Request-ID": REQUEST_ID},
            )
            assert "content-length" not in response.request.headers
            assert response.status_code == 413, (path, response.text)
            assert response.headers["content-type"] == "application/problem+json"
            problem = response.json()
            assert problem["type"].endswith("/payload-too-large")
            assert problem["request_id"] == REQUEST_ID
