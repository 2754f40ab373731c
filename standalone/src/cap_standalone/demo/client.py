"""The gateway as the demo calls it: a client's tokens, retries on 401 and 429, errors that say
what to do, and the polling of what another service learns by event."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx

T = TypeVar("T")


class DemoError(Exception):
    """The demo could not be loaded (the message says what to do)."""


class PlatformUnreachable(DemoError):
    """Nothing answers at the base URL."""


@dataclass
class Actor:
    """A person signed in through the gateway (the token is renewed when it expires)."""

    email: str
    password: str
    headers: dict[str, str] = field(default_factory=dict)


def problem_code(response: httpx.Response) -> str:
    """The code of the API's problem (the last part of its ``type``), or ``""``."""
    try:
        body = response.json()
    except ValueError:
        return ""
    if isinstance(body, dict):
        return str(body.get("type", "")).rsplit("/", 1)[-1]
    return ""


def describe(response: httpx.Response) -> str:
    """What the answer says went wrong, shortened, for an error message."""
    try:
        body = response.json()
    except ValueError:
        return response.text[:300]
    if isinstance(body, dict):
        parts = [str(body.get(k)) for k in ("title", "detail") if body.get(k)]
        if body.get("errors"):
            parts.append(str(body["errors"])[:500])
        if body.get("report"):
            parts.append(str(body["report"].get("errors"))[:800])
        return ": ".join(parts) or str(body)[:300]
    return str(body)[:300]


class Api:
    """The gateway, called as a client would: tokens, retries on 401 and 429, clear errors."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def sign_in(self, actor: Actor) -> None:
        """Sign ``actor`` in (password grant); raises DemoError when refused."""
        form = {"grant_type": "password", "username": actor.email, "password": actor.password}
        for _ in range(3):
            # Reading the JWKS first has the gateway re-read its signing keys outside any
            # transaction: when they are stale (30 s), a sign-in re-reads them inside its own
            # SQLite write transaction and waits on itself until the busy timeout (503).
            await self._send("GET", "/.well-known/jwks.json")
            response = await self._send("POST", "/v1/auth/token", data=form)
            if response.status_code != 503:
                break
        if response.status_code != 200:
            raise DemoError(
                f"{actor.email} cannot sign in ({response.status_code}: {describe(response)}); "
                "if the account exists with another password, give it (--admin-password for "
                "the administrator, --password for the demo accounts)"
            )
        actor.headers = {"Authorization": f"Bearer {response.json()['access_token']}"}

    async def _send(
        self, method: str, url: str, *, headers: Mapping[str, str] | None = None, **kwargs: Any
    ) -> httpx.Response:
        for _ in range(8):
            try:
                response = await self.client.request(method, url, headers=headers, **kwargs)
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                raise PlatformUnreachable(
                    f"nothing answers at {self.client.base_url} ({exc.__class__.__name__}): "
                    "start the platform first (`make run` in another terminal), or give its "
                    "address with --base-url"
                ) from None
            if response.status_code != 429:
                return response
            # Rate limited (sign-ins are limited per account and per address): wait as told.
            await asyncio.sleep(min(float(response.headers.get("Retry-After", "1")), 60.0))
        return response

    async def call(
        self,
        actor: Actor | None,
        method: str,
        url: str,
        *,
        expect: Collection[int] = (200, 201),
        **kwargs: Any,
    ) -> httpx.Response:
        """One call as ``actor`` (None: anonymous); a status outside ``expect`` is a DemoError."""
        extra = dict(kwargs.pop("headers", None) or {})
        response = await self._send(
            method, url, headers={**(actor.headers if actor else {}), **extra}, **kwargs
        )
        if response.status_code == 401 and actor is not None:  # the access token expired
            await self.sign_in(actor)
            response = await self._send(method, url, headers={**actor.headers, **extra}, **kwargs)
        if response.status_code not in expect:
            raise DemoError(f"{method} {url} answered {response.status_code}: {describe(response)}")
        return response

    async def as_read(
        self, actor: Actor, method: str, url: str, *, read: str, **kwargs: Any
    ) -> httpx.Response:
        """A write on the resource as ``GET read`` shows it now: its ETag in If-Match (plans,
        actions, audit plans and decision files have concurrent editors: 428 without it)."""
        tag = (await self.call(actor, "GET", read, expect=(200,))).headers.get("etag")
        headers = {**(kwargs.pop("headers", None) or {}), **({"If-Match": tag} if tag else {})}
        return await self.call(actor, method, url, headers=headers, **kwargs)

    async def json(self, actor: Actor | None, method: str, url: str, **kwargs: Any) -> Any:
        """The JSON body of a successful call."""
        return (await self.call(actor, method, url, **kwargs)).json()

    async def pages(
        self, actor: Actor, url: str, *, params: dict[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """Every item of a cursor-paginated list (``{"data", "next_cursor"}``)."""
        items: list[dict[str, Any]] = []
        cursor: str | None = None
        while True:
            query: dict[str, Any] = {**(params or {}), "limit": 200}
            if cursor:
                query["cursor"] = cursor
            page = await self.json(actor, "GET", url, params=query)
            items += page["data"]
            cursor = page.get("next_cursor")
            if not cursor:
                return items


async def poll(
    what: str, attempt: Callable[[], Awaitable[T | None]], *, timeout: float, interval: float = 0.1
) -> T:
    """Call ``attempt`` until it gives something; a DemoError naming ``what`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        result = await attempt()
        if result is not None:
            return result
        if time.monotonic() > deadline:
            raise DemoError(
                f"timed out after {timeout:.0f} s waiting for {what}: are the platform's "
                "workers running? (see /v1/ops/<service>/dead-letters)"
            )
        await asyncio.sleep(interval)
        interval = min(interval * 1.5, 1.0)
