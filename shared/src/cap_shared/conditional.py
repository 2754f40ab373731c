"""Conditional requests (RFC 9110 §13): ``ETag``, ``If-None-Match`` -> 304, ``If-Match`` -> 412/428.

A resource's entity tag is computed from its representation as the client sees it: the
canonical JSON (sorted keys, compact separators, UTF-8) of the JSON answer, hashed. The same
function gives the tag a ``GET`` answers (:class:`ConditionalGetMiddleware`, for every route
that does not set one itself) and the tag a write compares ``If-Match`` with
(:meth:`Precondition.check`, inside the write's transaction, on the representation the
resource's ``GET`` gives this caller). So a client reads, edits, and sends back the tag it read:

* ``GET`` answers ``ETag`` and ``Cache-Control: private, no-cache`` (unless the route says
  otherwise, e.g. the public registry's ``public, max-age``); ``If-None-Match`` with a tag that
  matches (weak comparison, or ``*``) gets ``304 Not Modified`` with the tag and no body;
* ``PATCH``/``PUT`` with ``If-Match`` (strong comparison, or ``*``) that does not match the
  current tag get ``412 precondition-failed`` (the ``current_etag`` in the problem) and nothing
  is written; where concurrent editors are expected the header is required and a write without
  it gets ``428 precondition-required``; a successful write answers the new ``ETag``.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Header
from fastapi.encoders import jsonable_encoder
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cap_shared.problems import ProblemError

#: Longest ``If-Match`` / ``If-None-Match`` read (a few dozen tags); longer is 422 on a
#: declared header and ignored by the middleware.
MAX_HEADER_LENGTH = 1024
#: Largest answer the middleware buffers to tag; a larger one goes out as it is, untagged.
MAX_TAGGED_BODY = 1024 * 1024
#: What a private answer may be cached with: by the client only, revalidated before each use.
PRIVATE_NO_CACHE = "private, no-cache"

IfMatchHeader = Annotated[
    str | None,
    Header(
        alias="If-Match",
        max_length=MAX_HEADER_LENGTH,
        description="The `ETag` read earlier (or `*`): 412 if the resource changed since",
    ),
]
IfNoneMatchHeader = Annotated[
    str | None,
    Header(
        alias="If-None-Match",
        max_length=MAX_HEADER_LENGTH,
        description="`ETag`s already held (or `*`): 304 with no body while one still matches",
    ),
]

# entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE (RFC 9110 §8.8.3); a list is comma-separated.
_TAG = re.compile(r'\s*(W/)?"([\x21\x23-\x7e\x80-\xff]*)"\s*(?:,|$)')


class PreconditionFailed(ProblemError):
    """``If-Match`` names no current tag: the client's copy is stale."""

    status, code, title = 412, "precondition-failed", "Precondition failed"
    title_fr = "Précondition non remplie"


class PreconditionRequired(ProblemError):
    """A write to a resource with concurrent editors came without ``If-Match``."""

    status, code, title = 428, "precondition-required", "Precondition required"
    title_fr = "Précondition requise"


def canonical_json(representation: Any) -> bytes:
    """The canonical JSON of a jsonable (or encodable) representation: sorted keys, compact."""
    return json.dumps(
        jsonable_encoder(representation),
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
    ).encode()


def etag_of(representation: Any, *, weak: bool = False) -> str:
    """The entity tag of ``representation`` (a model, a dict, a list...): strong by default."""
    digest = hashlib.sha256(canonical_json(representation)).hexdigest()[:32]
    return f'W/"{digest}"' if weak else f'"{digest}"'


def _etag_of_json(body: bytes) -> str:
    """``etag_of(json.loads(body))`` without ``jsonable_encoder``'s walk: what ``json.loads``
    gives is already plain JSON (the walk gives it back equal), so its canonical JSON is
    written directly. ValueError when ``body`` is not JSON (or holds NaN)."""
    canonical = json.dumps(
        json.loads(body), sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode()
    return '"' + hashlib.sha256(canonical).hexdigest()[:32] + '"'


@dataclass(frozen=True)
class EntityTag:
    """One parsed entity tag."""

    opaque: str
    weak: bool = False

    @classmethod
    def parse(cls, value: str) -> EntityTag | None:
        """``"x"`` or ``W/"x"``; None when malformed."""
        tags = parse_tags(value)
        return tags[0] if isinstance(tags, list) and len(tags) == 1 else None


def parse_tags(header: str) -> list[EntityTag] | str:
    """The tags of an ``If-Match``/``If-None-Match`` value, or ``"*"``. Malformed members are
    skipped (they match nothing); a header over :data:`MAX_HEADER_LENGTH` gives no tags."""
    value = header.strip()
    if value == "*":
        return "*"
    if len(value) > MAX_HEADER_LENGTH:
        return []
    tags: list[EntityTag] = []
    position = 0
    while position < len(value):
        match = _TAG.match(value, position)
        if match is None:  # skip to the next member
            comma = value.find(",", position)
            if comma < 0:
                break
            position = comma + 1
            continue
        tags.append(EntityTag(match.group(2), weak=match.group(1) is not None))
        position = match.end()
    return tags


def strong_match(header: str, current: str) -> bool:
    """``If-Match`` holds for ``current`` (RFC 9110 §13.1.1): ``*``, or a listed tag equal to it
    by strong comparison (neither weak, same opaque tag)."""
    tags = parse_tags(header)
    if tags == "*":
        return True
    tag = EntityTag.parse(current)
    return (
        tag is not None
        and not tag.weak
        and any(not t.weak and t.opaque == tag.opaque for t in tags if isinstance(t, EntityTag))
    )


def weak_match(header: str, current: str) -> bool:
    """``If-None-Match`` is false for ``current`` (RFC 9110 §13.1.2): ``*``, or a listed tag
    equal to it by weak comparison (same opaque tag, ``W/`` or not)."""
    tags = parse_tags(header)
    if tags == "*":
        return True
    tag = EntityTag.parse(current)
    return tag is not None and any(t.opaque == tag.opaque for t in tags if isinstance(t, EntityTag))


def check_if_match(if_match: str | None, current_etag: str, *, required: bool) -> None:
    """Raise 428 when ``If-Match`` is missing and ``required``, 412 when it does not match."""
    if if_match is None:
        if required:
            raise PreconditionRequired(
                "this resource has concurrent editors: read it, then send its ETag in If-Match",
                detail_fr="cette ressource a plusieurs éditeurs : lisez-la, puis renvoyez son "
                "ETag dans l'en-tête If-Match",
                extensions={"current_etag": current_etag},
            )
        return
    if not strong_match(if_match, current_etag):
        raise PreconditionFailed(
            "the resource changed since you read it; fetch it again and reapply your change",
            detail_fr="la ressource a changé depuis votre lecture ; relisez-la puis "
            "réappliquez votre modification",
            extensions={"current_etag": current_etag},
        )


@dataclass(frozen=True)
class Precondition:
    """The ``If-Match`` a write came with, checked inside the write against the current tag."""

    if_match: str | None
    required: bool

    def check(self, current_etag: str) -> None:
        """412/428 unless the write may go ahead on the current representation's tag."""
        check_if_match(self.if_match, current_etag, required=self.required)

    def check_representation(self, representation: Any) -> None:
        """:meth:`check` against :func:`etag_of` ``representation``."""
        self.check(etag_of(representation))

    def check_absent(self) -> None:
        """The resource does not exist yet (a ``PUT`` creating it): any ``If-Match``, ``*``
        included, is false (RFC 9110 §13.1.1); without one, the write creates it (there is no
        copy anybody could have read, so none is required)."""
        if self.if_match is None:
            return
        raise PreconditionFailed(
            "the resource does not exist: If-Match cannot match",
            detail_fr="la ressource n'existe pas : If-Match ne peut correspondre",
        )


class IfMatch:
    """The dependency a ``PATCH``/``PUT`` declares: ``Depends(IfMatch(required=True))`` gives a
    :class:`Precondition`. :mod:`cap_shared.openapi` finds it and declares the header
    (required where it is) and the 412 (and 428) answers."""

    def __init__(self, *, required: bool) -> None:
        self.required = required

    async def __call__(self, if_match: IfMatchHeader = None) -> Precondition:
        """The request's precondition: its ``If-Match``, and whether one is required."""
        return Precondition(if_match, self.required)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return bytes(value).decode("latin-1")
    return None


def _is_json(headers: MutableHeaders) -> bool:
    media = headers.get("content-type", "").split(";", 1)[0].strip().lower()
    return media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    )


#: Headers a 304 keeps from the 200 it stands for are all but the ones describing its body.
_BODY_HEADERS = frozenset({"content-type", "content-length", "content-encoding"})


class ConditionalGetMiddleware:
    """``ETag`` on every ``200`` JSON answer to a ``GET`` and ``If-None-Match`` -> ``304``.

    A route that sets its own ``ETag`` (a revision) keeps it, whatever its media type (a file
    export tagged by its route gets 304 too); otherwise the tag is
    :func:`etag_of` the answer's JSON, buffered up to :data:`MAX_TAGGED_BODY` (larger answers
    and non-JSON ones, event streams and file exports, go out as they are). ``Cache-Control``
    defaults to ``private, no-cache``: private answers stay out of shared caches and are
    revalidated (cheaply, by 304) before each use."""

    def __init__(self, app: ASGIApp, *, max_body: int = MAX_TAGGED_BODY) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer a GET whose If-None-Match names the answer's ETag with 304; pass on the rest."""
        if scope["type"] != "http" or scope.get("method") != "GET":
            await self.app(scope, receive, send)
            return
        if_none_match = _header(scope, b"if-none-match")
        if if_none_match is not None and len(if_none_match) > MAX_HEADER_LENGTH:
            if_none_match = None
        state = _Tagging(send, if_none_match, self.max_body)
        await self.app(scope, receive, state.send)


class _Tagging:
    """One answer going through :class:`ConditionalGetMiddleware`."""

    def __init__(self, send: Send, if_none_match: str | None, max_body: int) -> None:
        self._send = send
        self.if_none_match = if_none_match
        self.max_body = max_body
        self.start: Message | None = None
        self.chunks: list[bytes] = []
        self.size = 0
        self.mode = "undecided"  # "buffer", "pass", "swallow" (a 304 went out)

    async def send(self, message: Message) -> None:
        handler: Callable[[Message], Awaitable[None]] = {
            "undecided": self._start,
            "buffer": self._buffer,
            "pass": self._send,
            "swallow": self._swallow,
        }[self.mode]
        await handler(message)

    async def _start(self, message: Message) -> None:
        if message["type"] != "http.response.start":
            await self._send(message)
            return
        headers = MutableHeaders(scope=message)
        etag = headers.get("etag")
        # A JSON answer is tagged here; any other (a file export) only if its route tagged it.
        if message["status"] != 200 or not (_is_json(headers) or etag is not None):
            self.mode = "pass"
            await self._send(message)
            return
        if "cache-control" not in headers:
            headers["Cache-Control"] = PRIVATE_NO_CACHE
        if etag is None:
            self.mode, self.start = "buffer", message
            return
        if self.if_none_match is not None and weak_match(self.if_none_match, etag):
            self.mode = "swallow"
            await self._not_modified(message)
            return
        self.mode = "pass"
        await self._send(message)

    async def _buffer(self, message: Message) -> None:
        assert self.start is not None
        if message["type"] != "http.response.body":
            await self._send(message)
            return
        self.chunks.append(message.get("body", b""))
        self.size += len(self.chunks[-1])
        if self.size > self.max_body:  # too large to tag: out as it is
            self.mode = "pass"
            await self._send(self.start)
            await self._send(
                {
                    "type": "http.response.body",
                    "body": b"".join(self.chunks),
                    "more_body": message.get("more_body", False),
                }
            )
            return
        if message.get("more_body", False):
            return
        body = b"".join(self.chunks)
        start = self.start
        try:
            etag = _etag_of_json(body)
        except ValueError:  # not JSON after all: untagged
            etag = None
        if etag is not None:
            MutableHeaders(scope=start)["ETag"] = etag
            if self.if_none_match is not None and weak_match(self.if_none_match, etag):
                self.mode = "swallow"
                await self._not_modified(start)
                return
        self.mode = "pass"
        await self._send(start)
        await self._send({"type": "http.response.body", "body": body, "more_body": False})

    async def _not_modified(self, start: Message) -> None:
        headers = [
            (k, v)
            for k, v in start.get("headers", [])
            if bytes(k).decode("latin-1").lower() not in _BODY_HEADERS
        ]
        await self._send({"type": "http.response.start", "status": 304, "headers": headers})
        await self._send({"type": "http.response.body", "body": b"", "more_body": False})

    async def _swallow(self, message: Message) -> None:
        """The 200's body after its 304 went out: dropped."""
        if message["type"] != "http.response.body":
            await self._send(message)
