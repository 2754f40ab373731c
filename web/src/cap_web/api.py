"""The console's only way to the platform: the public ``/v1`` API, with the person's token.

Every call asks for French problem details (``Accept-Language: fr``). A 401 refreshes the
session's tokens once and retries; a refused refresh raises :class:`SignInRequired`, which the
app answers by sending the browser through sign-in and back. Any other problem is raised as
:class:`ApiProblem`, shown to the person in French by the error handler or the form.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx

from cap_web.models import ConsoleSession
from cap_web.sessions import SessionStore, Tokens

#: Headers of the API's answers worth keeping for the screens.
_KEPT = ("etag", "location", "content-type", "content-disposition", "retry-after")


@dataclass
class ApiProblem(Exception):
    """An RFC 9457 problem the API answered (in French when it has the words)."""

    status: int
    title: str
    detail: str = ""
    code: str = ""
    #: Per-field errors: ``[{"field": "answers[0].score", "message": "..."}]``.
    errors: list[dict[str, Any]] = field(default_factory=list)

    def __str__(self) -> str:
        return f"{self.status} {self.title}: {self.detail}"

    def field_messages(self) -> dict[str, str]:
        """The first message for each field name (the last part of its location)."""
        out: dict[str, str] = {}
        for error in self.errors:
            name = str(error.get("field") or error.get("pointer") or "")
            name = name.rsplit(".", 1)[-1].rsplit("/", 1)[-1]
            message = str(error.get("message_fr") or error.get("message") or "")
            if name and message:
                out.setdefault(name, message)
        return out


class SignInRequired(Exception):
    """No session, or its tokens were refused: the person signs in again."""


@dataclass(frozen=True)
class Answer:
    """A successful API answer."""

    status: int
    body: Any
    headers: Mapping[str, str]

    @property
    def etag(self) -> str | None:
        """The resource's validator, for a later ``If-Match``."""
        return self.headers.get("etag")


def problem_of(response: httpx.Response) -> ApiProblem:
    """The problem of an error answer (a plain one when it is not problem+json)."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        return ApiProblem(response.status_code, "Erreur inattendue", response.reason_phrase)
    code = str(body.get("code") or str(body.get("type", "")).rsplit("/", 1)[-1])
    return ApiProblem(
        status=response.status_code,
        title=str(body.get("title") or "Erreur"),
        detail=str(body.get("detail") or ""),
        code=code,
        errors=[e for e in body.get("errors") or [] if isinstance(e, dict)],
    )


class TokenEndpoint:
    """The gateway's OAuth endpoints, called with the console's client credentials."""

    def __init__(self, http: httpx.AsyncClient, *, client_id: str, client_secret: str) -> None:
        self.http = http
        self.auth = httpx.BasicAuth(client_id, client_secret)

    async def _token(self, data: dict[str, str]) -> dict[str, Any]:
        response = await self.http.post(
            "/v1/auth/token", data=data, auth=self.auth, headers={"accept-language": "fr"}
        )
        if response.status_code != 200:
            raise problem_of(response)
        body: dict[str, Any] = response.json()
        return body

    async def exchange(self, *, code: str, redirect_uri: str, verifier: str) -> dict[str, Any]:
        """The code of the sign-in page for tokens (with the PKCE verifier)."""
        return await self._token(
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect_uri,
                "code_verifier": verifier,
            }
        )

    async def refresh(self, refresh_token: str) -> Tokens | None:
        """New tokens for a refresh token; None when it is refused."""
        try:
            body = await self._token(
                {"grant_type": "refresh_token", "refresh_token": refresh_token}
            )
        except ApiProblem as problem:
            if problem.status in (400, 401):
                return None
            raise
        return Tokens(body["access_token"], body["refresh_token"], int(body["expires_in"]))

    async def revoke(self, refresh_token: str) -> None:
        """Revoke a refresh token (sign-out); the gateway answers 200 even for an unknown one."""
        await self.http.post("/v1/auth/revoke", data={"token": refresh_token}, auth=self.auth)

    async def userinfo(self, access_token: str) -> dict[str, Any]:
        """Who the token is for."""
        response = await self.http.get(
            "/v1/auth/userinfo", headers={"authorization": f"Bearer {access_token}"}
        )
        if response.status_code != 200:
            raise problem_of(response)
        body: dict[str, Any] = response.json()
        return body


class Api:
    """The API as one person (or nobody, for the public screens) calls it, for one request."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        store: SessionStore | None = None,
        tokens: TokenEndpoint | None = None,
        row: ConsoleSession | None = None,
        forwarded_for: str | None = None,
    ) -> None:
        self.http = http
        self.store = store
        self.tokens = tokens
        self.row = row
        self.forwarded_for = forwarded_for

    @property
    def signed_in(self) -> bool:
        """Whether calls carry a person's token."""
        return self.row is not None

    def _headers(self, extra: Mapping[str, str] | None) -> dict[str, str]:
        headers = {"accept-language": "fr", "accept": "application/json"}
        if self.row is not None:
            headers["authorization"] = f"Bearer {self.row.access_token}"
        if self.forwarded_for:
            headers["x-forwarded-for"] = self.forwarded_for
        if extra:
            headers.update(extra)
        return headers

    async def _refresh(self) -> bool:
        if self.row is None or self.store is None or self.tokens is None:
            return False
        row = await self.store.refreshed(self.row, self.tokens.refresh)
        if row is None:
            self.row = None
            return False
        self.row = row
        return True

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        files: Any = None,
        data: Any = None,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        idempotency_key: str | None = None,
        if_match: str | None = None,
    ) -> httpx.Response:
        """One call; 401 refreshes once. Returns the raw answer whatever its status
        (``content``: a raw body, such as a file sent as it is)."""
        extra = dict(headers or {})
        if method == "POST":
            extra.setdefault("idempotency-key", idempotency_key or str(uuid.uuid4()))
        if if_match:
            extra["if-match"] = if_match
        clean = {k: v for k, v in (params or {}).items() if v not in (None, "")}
        for attempt in (1, 2):
            response = await self.http.request(
                method,
                path,
                params=clean,
                json=json,
                files=files,
                data=data,
                content=content,
                headers=self._headers(extra),
            )
            if response.status_code != 401 or self.row is None:
                break
            if attempt == 1 and await self._refresh():
                continue
            raise SignInRequired
        if response.status_code == 401 and self.row is None and not path.startswith("/v1/registry"):
            raise SignInRequired
        return response

    async def call(self, method: str, path: str, **kwargs: Any) -> Answer:
        """One call whose error is raised as :class:`ApiProblem`; the JSON body (or None)."""
        response = await self.request(method, path, **kwargs)
        if response.status_code >= 400:
            raise problem_of(response)
        body: Any = None
        if response.content and "json" in response.headers.get("content-type", ""):
            body = response.json()
        kept = {k: response.headers[k] for k in _KEPT if k in response.headers}
        return Answer(response.status_code, body, kept)

    async def get(self, path: str, **params: Any) -> Any:
        """``GET path?params``: the JSON body."""
        return (await self.call("GET", path, params=params)).body

    async def post(self, path: str, json: Any = None, **kwargs: Any) -> Answer:
        """``POST`` (with an Idempotency-Key: the form's own, so a double submit is one)."""
        return await self.call("POST", path, json=json, **kwargs)

    async def patch(self, path: str, json: Any, *, if_match: str | None = None) -> Answer:
        """``PATCH`` with the ETag the form was rendered with."""
        return await self.call("PATCH", path, json=json, if_match=if_match)

    async def put(self, path: str, json: Any, *, if_match: str | None = None) -> Answer:
        """``PUT`` with the ETag the form was rendered with."""
        return await self.call("PUT", path, json=json, if_match=if_match)

    async def delete(self, path: str, *, if_match: str | None = None) -> Answer:
        """``DELETE``."""
        return await self.call("DELETE", path, if_match=if_match)

    async def pages(
        self, path: str, *, limit: int = 100, most: int = 1000, **params: Any
    ) -> list[Any]:
        """Every item of a list (``{data, next_cursor}``), following cursors, at most ``most``."""
        items: list[Any] = []
        cursor: str | None = None
        while len(items) < most:
            page = await self.get(path, limit=limit, cursor=cursor, **params)
            items.extend(page["data"])
            cursor = page.get("next_cursor")
            if not cursor:
                break
        return items[:most]

    @asynccontextmanager
    async def stream(
        self,
        path: str,
        *,
        headers: Mapping[str, str] | None = None,
        timeout: httpx.Timeout | None = None,
        **params: Any,
    ) -> AsyncIterator[httpx.Response]:
        """A streamed ``GET`` (a download, the live event stream: ``headers`` such as
        ``Last-Event-ID``, a ``timeout`` of its own for an answer that lasts)."""
        extra = {"accept": "*/*", **(headers or {})}
        options: dict[str, Any] = {} if timeout is None else {"timeout": timeout}
        async with self.http.stream(
            "GET", path, params=params, headers=self._headers(extra), **options
        ) as response:
            if response.status_code == 401 and self.row is not None and await self._refresh():
                await response.aclose()
                async with self.http.stream(
                    "GET", path, params=params, headers=self._headers(extra), **options
                ) as again:
                    yield again
                return
            yield response
