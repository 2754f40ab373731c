"""The gateway's public cache: what it stores, for how long, and how it answers conditions."""

from __future__ import annotations

from typing import Any

from cap_gateway.cache import PublicCache, etag_matches

PUBLIC = [
    (b"content-type", b"application/json"),
    (b"etag", b'"v1"'),
    (b"cache-control", b"public, max-age=60"),
]


def scope(headers: list[tuple[bytes, bytes]] | None = None, method: str = "GET") -> dict[str, Any]:
    return {
        "method": method,
        "path": "/v1/registry/verify/X",
        "query_string": b"",
        "headers": headers or [],
    }


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_only_public_answers_with_a_max_age_are_stored() -> None:
    cache = PublicCache()
    assert cache.storable(200, PUBLIC) == 60
    assert cache.storable(404, PUBLIC) == 0
    for control in (b"private, max-age=60", b"public, no-store", b"public", b"no-cache"):
        assert cache.storable(200, [(b"cache-control", control)]) == 0, control
    assert cache.storable(200, [(b"content-type", b"text/plain")]) == 0


def test_signed_in_writes_and_no_cache_requests_bypass_it() -> None:
    assert PublicCache.key(scope([(b"authorization", b"Bearer x")])) is None
    assert PublicCache.key(scope([(b"cookie", b"a=b")])) is None
    assert PublicCache.key(scope(method="POST")) is None
    assert PublicCache.key(scope([(b"cache-control", b"no-cache")])) is None
    html = PublicCache.key(scope([(b"accept", b"text/html,*/*")]))
    assert html is not None
    assert html != PublicCache.key(scope())


def test_entries_expire_and_the_least_recently_used_goes_first() -> None:
    clock = Clock()
    cache = PublicCache(max_entries=2, clock=clock)
    keys = [("/a", b"", False), ("/b", b"", False), ("/c", b"", False)]
    cache.put(keys[0], PUBLIC, b"a", 60)
    cache.put(keys[1], PUBLIC, b"b", 60)
    assert cache.get(keys[0]) is not None  # /a used: /b is now the oldest
    cache.put(keys[2], PUBLIC, b"c", 60)
    assert cache.get(keys[1]) is None
    assert cache.get(keys[0]) is not None
    clock.now += 61
    assert cache.get(keys[0]) is None
    big = PublicCache(max_body_bytes=4)
    stored = big.put(keys[0], PUBLIC, b"too large", 60)
    assert stored.body == b"too large"
    assert big.get(keys[0]) is None


async def test_a_matching_condition_gets_304_without_a_body() -> None:
    cache = PublicCache()
    stored = cache.put(("/a", b"", False), PUBLIC, b'{"status":"active"}', 60)
    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    async def receive() -> dict[str, Any]:
        return {"type": "http.request"}

    await cache.answer(stored, scope([(b"if-none-match", b'W/"v1", "v0"')]), receive, send)
    assert sent[0]["status"] == 304
    assert sent[1]["body"] == b""
    sent.clear()
    await cache.answer(stored, scope([(b"if-none-match", b'"v0"')]), receive, send)
    assert sent[0]["status"] == 200
    assert sent[1]["body"] == b'{"status":"active"}'
    assert etag_matches(b"*", b'"anything"')
