"""Property-based tests (Hypothesis) of the gateway's public cache: ETag conditions and the
lifetimes it reads (issue 15).

Properties: ``If-None-Match`` matches exactly when it lists the stored tag (weakly) or ``*``,
whatever else the header holds; a stored answer is served as stored, or as a 304 exactly when
the client holds its tag; a ``Cache-Control`` header of any bytes gives a lifetime, never an
exception.
"""

from __future__ import annotations

import asyncio
import string
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from cap_gateway.cache import PublicCache, etag_matches

PURE = settings(max_examples=100, deadline=None)
tags = st.text(string.ascii_letters + string.digits, min_size=1, max_size=8).map(
    lambda t: f'"{t}"'.encode()
)


@PURE
@given(
    etag=tags,
    others=st.lists(tags, max_size=3),
    weak_sent=st.booleans(),
    weak_stored=st.booleans(),
    listed=st.booleans(),
    spaces=st.sampled_from([b"", b" ", b"\t"]),
)
def test_if_none_match_matches_exactly_the_listed_tags(
    etag: bytes,
    others: list[bytes],
    weak_sent: bool,
    weak_stored: bool,
    listed: bool,
    spaces: bytes,
) -> None:
    sent = [*others, (b"W/" if weak_sent else b"") + etag] if listed else others
    stored = (b"W/" if weak_stored else b"") + etag
    header = (b"," + spaces).join(sent)
    assert etag_matches(header, stored) == (listed or etag in others)
    assert etag_matches(b"*", stored)


@PURE
@given(header=st.binary(max_size=60), etag=tags)
def test_any_if_none_match_header_is_a_yes_or_a_no(header: bytes, etag: bytes) -> None:
    assert etag_matches(header, etag) in (True, False)


@PURE
@given(control=st.binary(max_size=60))
@example(control=b"public, max-age=\xb2")  # latin-1 superscript two: a digit to str.isdigit
@example(control=b"public, max-age=99999999999999999999")
@example(control=b"public, max-age=-1")
def test_any_cache_control_gives_a_lifetime(control: bytes) -> None:
    lifetime = PublicCache().storable(200, [(b"cache-control", control)])
    assert isinstance(lifetime, int)
    assert lifetime >= 0


@PURE
@given(seconds=st.integers(0, 10**6), extra=st.sampled_from([b"", b", must-revalidate"]))
def test_a_public_max_age_is_read_as_given(seconds: int, extra: bytes) -> None:
    control = b"public, max-age=" + str(seconds).encode() + extra
    assert PublicCache().storable(200, [(b"cache-control", control)]) == seconds


def served(cache: PublicCache, stored: Any, if_none_match: bytes | None) -> tuple[int, bytes]:
    """What the cache sends for a stored answer to a client holding ``if_none_match``."""
    sent: list[dict[str, Any]] = []
    headers = [(b"if-none-match", if_none_match)] if if_none_match is not None else []
    scope = {"method": "GET", "path": "/v1/registry/x", "query_string": b"", "headers": headers}

    async def receive() -> dict[str, Any]:
        return {"type": "http.request"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(cache.answer(stored, scope, receive, send))
    return sent[0]["status"], b"".join(m.get("body", b"") for m in sent[1:])


@PURE
@given(body=st.binary(max_size=40), etag=tags, held=st.none() | tags)
def test_a_stored_answer_is_a_304_exactly_when_the_client_holds_its_tag(
    body: bytes, etag: bytes, held: bytes | None
) -> None:
    cache = PublicCache()
    key = ("/v1/registry/x", b"", False)
    headers = [(b"etag", etag), (b"cache-control", b"public, max-age=60")]
    stored = cache.put(key, headers, body, 60)
    status, sent = served(cache, stored, held)
    if held == etag:
        assert (status, sent) == (304, b"")
    else:
        assert (status, sent) == (200, body)
