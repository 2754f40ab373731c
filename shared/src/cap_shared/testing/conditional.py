"""Conditional writes in tests: read a resource, then send its ETag back in ``If-Match``."""

from __future__ import annotations

from collections.abc import Mapping

import httpx


async def etag(client: httpx.AsyncClient, url: str, headers: Mapping[str, str]) -> str:
    """The ETag ``GET url`` answers ``headers``' caller (the read must succeed)."""
    read = await client.get(url, headers=dict(headers))
    assert read.status_code == 200, f"GET {url}: {read.status_code} {read.text[:300]}"
    tag: str | None = read.headers.get("etag")
    assert tag, f"GET {url} answered no ETag"
    return tag


async def if_match(
    client: httpx.AsyncClient, url: str, headers: Mapping[str, str]
) -> dict[str, str]:
    """``headers`` plus ``If-Match`` with the ETag ``GET url`` answers them now."""
    return {**headers, "If-Match": await etag(client, url, headers)}


async def as_read(
    client: httpx.AsyncClient, url: str, headers: Mapping[str, str]
) -> dict[str, str]:
    """``headers`` plus ``If-Match`` when their caller may read ``url`` (else unchanged: a
    caller refused the read is refused the write before any precondition)."""
    read = await client.get(url, headers=dict(headers))
    tag = read.headers.get("etag") if read.status_code == 200 else None
    return {**headers, "If-Match": tag} if tag else dict(headers)
