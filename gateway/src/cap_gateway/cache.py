"""A small shared cache for public answers, as a reverse proxy keeps one (RFC 9111 §3, §4).

Only anonymous ``GET`` requests are looked up, and only ``200`` answers that their service marks
``Cache-Control: public, max-age=N`` (the public registry) are stored, for N seconds, bounded in
number and size (least recently used out first). A request whose ``If-None-Match`` matches the
stored ``ETag`` gets ``304`` from the gateway without reaching the service. Keys are the path,
the query and whether the client asks for HTML (the registry's verification page varies on
``Accept``). Each gateway replica has its own; freshness is bounded by ``max-age``.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from starlette.types import Receive, Scope, Send

#: Response headers kept with a stored answer (the rest describe one exchange).
_KEPT = frozenset({b"content-type", b"etag", b"cache-control", b"vary", b"content-disposition"})


@dataclass(frozen=True)
class Stored:
    """A public answer kept in memory, with when it expires."""

    expires: float
    stored_at: float
    headers: list[tuple[bytes, bytes]]
    body: bytes
    etag: bytes | None


def _max_age(cache_control: bytes) -> int:
    """``max-age`` of a ``public`` answer, else 0 (private, no-store, no-cache: not stored)."""
    directives = {d.strip().lower() for d in cache_control.decode("latin-1").split(",")}
    if "public" not in directives or directives & {"private", "no-store", "no-cache"}:
        return 0
    for directive in directives:
        name, _, value = directive.partition("=")
        if name == "max-age" and value.isascii() and value.isdigit():
            return int(value)
    return 0


def etag_matches(if_none_match: bytes, etag: bytes) -> bool:
    """Weak comparison against a list of tags, or ``*`` (RFC 9110 §13.1.2)."""
    tags = {t.strip().removeprefix(b"W/") for t in if_none_match.split(b",")}
    return b"*" in tags or etag.removeprefix(b"W/") in tags


class PublicCache:
    """In-memory LRU of public answers."""

    def __init__(
        self,
        *,
        max_entries: int = 2048,
        max_body_bytes: int = 256 * 1024,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_entries = max_entries
        self.max_body_bytes = max_body_bytes
        self.clock = clock
        self._entries: OrderedDict[tuple[str, bytes, bool], Stored] = OrderedDict()
        self.hits = 0
        self.misses = 0

    @staticmethod
    def key(scope: Scope) -> tuple[str, bytes, bool] | None:
        """The cache key of an anonymous GET, or None when the request is not for the cache."""
        if scope["method"] != "GET":
            return None
        html = False
        for name, value in scope["headers"]:
            if name in (b"authorization", b"cookie"):
                return None
            if name == b"accept":
                html = b"text/html" in value
            elif name == b"cache-control" and b"no-cache" in value:
                return None
        return scope["path"], scope.get("query_string", b""), html

    def get(self, key: tuple[str, bytes, bool]) -> Stored | None:
        """The answer stored under ``key`` while it is fresh, else None."""
        stored = self._entries.get(key)
        if stored is None or stored.expires <= self.clock():
            if stored is not None:
                del self._entries[key]
            self.misses += 1
            return None
        self._entries.move_to_end(key)
        self.hits += 1
        return stored

    def storable(self, status: int, headers: list[tuple[bytes, bytes]]) -> int:
        """Seconds an answer may be kept (0: not at all)."""
        if status != 200:
            return 0
        for name, value in headers:
            if name.lower() == b"cache-control":
                return _max_age(value)
        return 0

    def put(
        self,
        key: tuple[str, bytes, bool],
        headers: list[tuple[bytes, bytes]],
        body: bytes,
        max_age: int,
    ) -> Stored:
        """Keep an answer (unless too large to); the answer to send either way."""
        kept = [(k.lower(), v) for k, v in headers if k.lower() in _KEPT]
        etag = next((v for k, v in kept if k == b"etag"), None)
        now = self.clock()
        stored = Stored(now + max_age, now, kept, body, etag)
        if len(body) <= self.max_body_bytes:
            self._entries[key] = stored
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return stored

    def clear(self) -> None:
        """Forget every stored answer."""
        self._entries.clear()

    async def answer(self, stored: Stored, scope: Scope, receive: Receive, send: Send) -> None:
        """Send a stored answer, or 304 when the client already holds it."""
        if_none_match = next((v for k, v in scope["headers"] if k == b"if-none-match"), None)
        age = str(int(self.clock() - stored.stored_at)).encode()
        if stored.etag is not None and if_none_match and etag_matches(if_none_match, stored.etag):
            headers = [(k, v) for k, v in stored.headers if k != b"content-type"]
            await send(
                {"type": "http.response.start", "status": 304, "headers": [*headers, (b"age", age)]}
            )
            await send({"type": "http.response.body", "body": b""})
            return
        headers = [
            *stored.headers,
            (b"content-length", str(len(stored.body)).encode()),
            (b"age", age),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": stored.body})
