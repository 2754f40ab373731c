"""Conditional requests: entity tags, RFC 9110 §13 comparisons, 304/412/428 and their spec."""

from __future__ import annotations

from typing import Annotated, Any

import httpx
import pytest
from fastapi import Depends, FastAPI, Response
from fastapi.responses import JSONResponse, PlainTextResponse, StreamingResponse
from pydantic import BaseModel

from cap_shared.conditional import (
    ConditionalGetMiddleware,
    EntityTag,
    IfMatch,
    Precondition,
    PreconditionFailed,
    PreconditionRequired,
    canonical_json,
    check_if_match,
    etag_of,
    parse_tags,
    strong_match,
    weak_match,
)
from cap_shared.openapi import describe_errors
from cap_shared.problems import ProblemLanguageMiddleware, install_problem_handlers


def test_etag_is_the_canonical_json_of_the_representation() -> None:
    assert canonical_json({"b": [1, 2], "a": "é"}) == '{"a":"é","b":[1,2]}'.encode()
    assert etag_of({"a": 1, "b": 2}) == etag_of({"b": 2, "a": 1})
    assert etag_of({"a": 1}) != etag_of({"a": 2})
    tag = etag_of({"a": 1})
    assert tag.startswith('"')
    assert tag.endswith('"')
    assert len(tag) == 34
    assert etag_of({"a": 1}, weak=True) == "W/" + tag

    class Thing(BaseModel):
        b: int
        a: str

    assert etag_of(Thing(b=1, a="x")) == etag_of({"a": "x", "b": 1})


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ('"a"', [EntityTag("a")]),
        ('W/"a", "b"', [EntityTag("a", weak=True), EntityTag("b")]),
        ('"a,b" , "c"', [EntityTag("a,b"), EntityTag("c")]),
        ("*", "*"),
        (" * ", "*"),
        ('a, "b"', [EntityTag("b")]),
        ("garbage", []),
        ('""', [EntityTag("")]),
        ('"' + "x" * 2000 + '"', []),
    ],
)
def test_tag_lists_parse(header: str, expected: Any) -> None:
    assert parse_tags(header) == expected


@pytest.mark.parametrize(
    ("header", "current", "strong", "weak"),
    [
        ('"a"', '"a"', True, True),
        ('W/"a"', '"a"', False, True),
        ('"a"', 'W/"a"', False, True),
        ('W/"a"', 'W/"a"', False, True),
        ('"b", "a"', '"a"', True, True),
        ('"b"', '"a"', False, False),
        ("*", '"a"', True, True),
        ("a", '"a"', False, False),
        ("", '"a"', False, False),
    ],
)
def test_strong_and_weak_comparison(header: str, current: str, strong: bool, weak: bool) -> None:
    """RFC 9110 §8.8.3.2: strong for If-Match, weak for If-None-Match."""
    assert strong_match(header, current) is strong
    assert weak_match(header, current) is weak


def test_a_resource_not_there_yet_matches_no_if_match() -> None:
    Precondition(None, required=True).check_absent()  # created: nobody could have read it
    for header in ("*", '"a"'):
        with pytest.raises(PreconditionFailed):
            Precondition(header, required=False).check_absent()


def test_check_if_match() -> None:
    check_if_match(None, '"a"', required=False)
    check_if_match('"a"', '"a"', required=True)
    check_if_match("*", '"a"', required=True)
    with pytest.raises(PreconditionRequired) as missing:
        check_if_match(None, '"a"', required=True)
    assert missing.value.status == 428
    assert missing.value.detail_fr
    with pytest.raises(PreconditionFailed):  # present but empty: matches nothing
        check_if_match("  ", '"a"', required=True)
    with pytest.raises(PreconditionFailed) as stale:
        check_if_match('"b"', '"a"', required=False)
    assert stale.value.status == 412
    assert stale.value.extensions == {"current_etag": '"a"'}
    with pytest.raises(PreconditionFailed):  # a weak tag never satisfies If-Match
        check_if_match('W/"a"', '"a"', required=True)


class Thing(BaseModel):
    id: int
    name: str


def app() -> FastAPI:
    things = {1: "one"}
    application = FastAPI()
    install_problem_handlers(application)
    application.add_middleware(ConditionalGetMiddleware, max_body=10_000)
    application.add_middleware(ProblemLanguageMiddleware)

    @application.get("/things/{thing_id}", response_model=Thing)
    async def get_thing(thing_id: int) -> Thing:
        return Thing(id=thing_id, name=things[thing_id])

    @application.patch("/things/{thing_id}", response_model=Thing)
    async def rename(
        thing_id: int,
        name: str,
        response: Response,
        precondition: Annotated[Precondition, Depends(IfMatch(required=True))],
    ) -> Thing:
        precondition.check_representation(Thing(id=thing_id, name=things[thing_id]))
        things[thing_id] = name
        renamed = Thing(id=thing_id, name=name)
        response.headers["ETag"] = etag_of(renamed)
        return renamed

    @application.put("/things/{thing_id}/note")
    async def note(
        thing_id: int, precondition: Annotated[Precondition, Depends(IfMatch(required=False))]
    ) -> dict[str, int]:
        precondition.check('"n"')
        return {"id": thing_id}

    @application.get("/revisioned")
    async def revisioned() -> JSONResponse:
        return JSONResponse({"x": 1}, headers={"ETag": '"r7"'})

    @application.get("/public")
    async def public() -> JSONResponse:
        return JSONResponse({"x": 1}, headers={"Cache-Control": "public, max-age=60"})

    @application.get("/big")
    async def big() -> list[str]:
        return ["x" * 100] * 200

    @application.get("/text", response_class=PlainTextResponse)
    async def text() -> PlainTextResponse:
        return PlainTextResponse("hello")

    @application.get("/stream")
    async def stream() -> StreamingResponse:
        async def chunks() -> Any:
            yield b"data: 1\n\n"

        return StreamingResponse(chunks(), media_type="text/event-stream")

    return application


async def test_get_tags_and_answers_304_then_writes_are_conditional() -> None:
    transport = httpx.ASGITransport(app=app())
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        first = await client.get("/things/1")
        etag = first.headers["etag"]
        assert etag == etag_of(first.json())
        assert first.headers["cache-control"] == "private, no-cache"
        same = await client.get("/things/1", headers={"If-None-Match": f'"zz", W/{etag}'})
        assert same.status_code == 304
        assert same.content == b""
        assert same.headers["etag"] == etag
        assert "content-type" not in same.headers
        assert (await client.get("/things/1", headers={"If-None-Match": '"zz"'})).status_code == 200

        missing = await client.patch("/things/1", params={"name": "un"})
        assert missing.status_code == 428
        assert missing.json()["type"].endswith("/precondition-required")
        assert missing.json()["current_etag"] == etag
        written = await client.patch("/things/1", params={"name": "un"}, headers={"If-Match": etag})
        assert written.status_code == 200
        new = written.headers["etag"]
        assert new != etag
        stale = await client.patch(
            "/things/1",
            params={"name": "uno"},
            headers={"If-Match": etag, "Accept-Language": "fr"},
        )
        assert stale.status_code == 412
        assert stale.json()["title"] == "Précondition non remplie"
        assert stale.json()["detail"].startswith("la ressource a changé")
        assert (await client.get("/things/1")).headers["etag"] == new  # GET agrees with PATCH
        again = await client.patch("/things/1", params={"name": "uno"}, headers={"If-Match": new})
        assert again.status_code == 200
        assert (await client.get("/things/1", headers={"If-None-Match": etag})).status_code == 200
        assert (
            await client.patch("/things/1", params={"name": "x"}, headers={"If-Match": "x" * 1100})
        ).status_code == 422

        assert (await client.put("/things/1/note")).status_code == 200  # optional there
        assert (await client.put("/things/1/note", headers={"If-Match": '"m"'})).status_code == 412


async def test_own_tags_public_caching_and_what_is_not_tagged() -> None:
    transport = httpx.ASGITransport(app=app())
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        own = await client.get("/revisioned", headers={"If-None-Match": '"r6"'})
        assert own.headers["etag"] == '"r7"'
        assert (
            await client.get("/revisioned", headers={"If-None-Match": '"r7"'})
        ).status_code == 304
        public = await client.get("/public")
        assert public.headers["cache-control"] == "public, max-age=60"
        assert public.headers["etag"] == etag_of({"x": 1})
        big = await client.get("/big")  # over max_body: out as it is
        assert big.status_code == 200
        assert len(big.json()) == 200
        assert "etag" not in big.headers
        text = await client.get("/text", headers={"If-None-Match": "*"})
        assert text.status_code == 200
        assert "etag" not in text.headers
        stream = await client.get("/stream")
        assert stream.text == "data: 1\n\n"
        assert "etag" not in stream.headers


def test_spec_declares_etags_if_none_match_and_if_match() -> None:
    application = app()
    document = describe_errors(application, application.openapi())
    get = document["paths"]["/things/{thing_id}"]["get"]
    assert {"name": "If-None-Match", "in": "header"}.items() <= get["parameters"][-1].items()
    assert "ETag" in get["responses"]["200"]["headers"]
    assert "ETag" in get["responses"]["304"]["headers"]
    patch = document["paths"]["/things/{thing_id}"]["patch"]
    if_match = next(p for p in patch["parameters"] if p["name"] == "If-Match")
    assert if_match["required"] is True
    assert {"412", "428"} <= set(patch["responses"])
    assert patch["responses"]["428"]["content"]["application/problem+json"]
    assert "ETag" in patch["responses"]["200"]["headers"]
    put = document["paths"]["/things/{thing_id}/note"]["put"]
    assert next(p for p in put["parameters"] if p["name"] == "If-Match")["required"] is False
    assert "412" in put["responses"]
    assert "428" not in put["responses"]
    assert "304" not in document["paths"]["/text"]["get"]["responses"]
