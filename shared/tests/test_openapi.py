"""Errors in the API description (cap_shared.openapi): each operation declares the errors it can
answer, derived from its route, as problem+json with one ``Problem`` schema that real answers
match."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated, Any

import httpx
import jsonschema
import pytest
from fastapi import APIRouter, Depends
from fastapi import Path as PathParam
from pydantic import BaseModel, ConfigDict

from cap_diagnostic.main import SERVICE
from cap_shared.app import create_service_app
from cap_shared.deps import DatabaseDep, SessionDep
from cap_shared.pagination import PageCursor, decode_cursor
from cap_shared.problems import PROBLEM_JSON, Conflict, NotFound
from cap_shared.security import Allow, Principal, Public, Role, SignedIn
from cap_shared.testing.auth import TestIssuer, bearer

AUDIENCE = "urn:cap:diagnostic"


class ThingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str


router = APIRouter(prefix="/v1/things", tags=["things"])
Admin = Annotated[Principal, Depends(Allow(Role.ADMIN))]


@router.get("/{thing_id}", responses={409: {"description": "Archived"}})
async def read_thing(
    thing_id: Annotated[str, PathParam(max_length=36)], _admin: Admin, session: SessionDep
) -> dict[str, str]:
    """One thing (admin); 409 for the archived one, whose problem names its own status."""
    if thing_id == "archived":
        raise Conflict("archived", extensions={"status": "archived"})
    raise NotFound("no such thing")


@router.post("", status_code=201)
async def create_thing(
    data: ThingIn, _me: Annotated[Principal, Depends(SignedIn())]
) -> dict[str, str]:
    """Anyone signed in."""
    return {"name": data.name}


@router.get("", dependencies=[Public])
async def list_things(cursor: PageCursor = None) -> list[str]:
    """Anyone; a cursor the API did not make is refused."""
    if cursor:
        decode_cursor(cursor)
    return []


@router.get("/-/count", dependencies=[Public])
async def count_things() -> int:
    """No input at all."""
    return 0


@router.get("/-/total", dependencies=[Public])
async def total_things(db: DatabaseDep) -> int:
    """Opens its own connections on the service's database."""
    return 0


class App:
    def __init__(self, client: httpx.AsyncClient, document: dict[str, Any], admin: Any) -> None:
        self.client, self.document, self.admin = client, document, admin

    def responses(self, method: str, path: str) -> dict[str, Any]:
        return dict(self.document["paths"][path][method]["responses"])


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[App]:
    settings = SERVICE.settings()
    settings.database_url = f"sqlite+aiosqlite:///{tmp_path / 'svc.db'}"
    issuer = TestIssuer()
    runtime = SERVICE.build_runtime(settings, keys=issuer.key_source())
    built = create_service_app(
        runtime, title="Things", description="Test", routers=[router], manage_runtime=False
    )
    admin = bearer(issuer.token(roles=[{"role": "admin"}], audience=AUDIENCE))
    transport = httpx.ASGITransport(app=built)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://svc") as client:
            document = (await client.get("/openapi.json")).json()
            yield App(client, document, admin)
    finally:
        await runtime.close()


def statuses(responses: dict[str, Any]) -> list[str]:
    return [code for code in responses if code[0] in "45"]


async def test_errors_are_derived_from_the_route(app: App) -> None:
    assert statuses(app.responses("get", "/v1/things/{thing_id}")) == [
        "401",
        "403",
        "404",
        "409",
        "422",
        "503",
    ]
    assert statuses(app.responses("post", "/v1/things")) == ["400", "401", "422"]
    assert statuses(app.responses("get", "/v1/things")) == ["400", "422"]
    assert statuses(app.responses("get", "/v1/things/-/count")) == []
    # The database taken whole (the route opens its connections): unavailable like a session.
    assert statuses(app.responses("get", "/v1/things/-/total")) == ["503"]
    # The route's own words are kept; derived statuses say why.
    read = app.responses("get", "/v1/things/{thing_id}")
    assert read["409"]["description"] == "Archived"
    assert "cursor" in app.responses("get", "/v1/things")["400"]["description"]


async def test_every_error_is_problem_json_with_one_schema(app: App) -> None:
    schemas = app.document["components"]["schemas"]
    assert "Problem" in schemas
    assert "HTTPValidationError" not in schemas  # FastAPI's own, never answered
    errors = [
        response
        for item in app.document["paths"].values()
        for operation in item.values()
        for code, response in operation["responses"].items()
        if code[0] in "45"
    ]
    assert len(errors) > 10
    for response in errors:
        assert response["content"] == {
            PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}
        }
        assert response["description"]


async def test_real_answers_match_the_problem_schema(app: App) -> None:
    schemas = app.document["components"]["schemas"]
    validator = jsonschema.Draft202012Validator(
        {"$ref": "#/components/schemas/Problem", "components": {"schemas": schemas}}
    )
    answers = [
        await app.client.get("/v1/things/x"),  # 401
        await app.client.get("/v1/things/x", headers=app.admin),  # 404
        await app.client.get("/v1/things/archived", headers=app.admin),  # 409
        await app.client.get("/v1/things/" + "x" * 40, headers=app.admin),  # 422
        await app.client.get("/v1/things", params={"cursor": "%%%"}),  # 400
        await app.client.post(
            "/v1/things",
            content=b"\xff{",
            headers={**app.admin, "Content-Type": "application/json; charset=utf-8"},
        ),
    ]
    assert [a.status_code for a in answers[:5]] == [401, 404, 409, 422, 400]
    assert answers[5].status_code in (400, 422)
    for answer in answers:
        assert answer.headers["content-type"] == PROBLEM_JSON
        assert str(answer.status_code) in app.responses(
            answer.request.method.lower(),
            "/v1/things/{thing_id}" if answer.request.url.path.count("/") == 3 else "/v1/things",
        )
        validator.validate(answer.json())


async def test_an_extension_never_replaces_the_http_status(app: App) -> None:
    archived = await app.client.get("/v1/things/archived", headers=app.admin)
    body = archived.json()
    assert (archived.status_code, body["status"], body["current_status"]) == (
        409,
        409,
        "archived",
    )


async def test_the_document_is_described_once_and_stays_stable(app: App) -> None:
    again = (await app.client.get("/openapi.json")).json()
    assert again == app.document
