"""Driving the console without a browser, as a browser would (tests): cookies, the sign-in page,
forms with their CSRF token and idempotency key."""

from __future__ import annotations

import html
import re
from typing import Any

import httpx

_FORM = re.compile(r"<form\b[^>]*>.*?</form>", re.S | re.I)
_ACTION = re.compile(r'action="([^"]*)"', re.I)
_HIDDEN = re.compile(r'<input\b[^>]*type="hidden"[^>]*>', re.I)
_NAME = re.compile(r'name="([^"]*)"', re.I)
_VALUE = re.compile(r'value="([^"]*)"', re.I)


def hidden_fields(page: str, action: str | None = None) -> dict[str, str]:
    """The hidden fields of the first form of ``page`` (posting to ``action``, if given)."""
    for form in _FORM.findall(page):
        found = _ACTION.search(form)
        if action is not None and (found is None or html.unescape(found.group(1)) != action):
            continue
        fields: dict[str, str] = {}
        for tag in _HIDDEN.findall(form):
            name, value = _NAME.search(tag), _VALUE.search(tag)
            if name:
                fields[html.unescape(name.group(1))] = (
                    html.unescape(value.group(1)) if value else ""
                )
        return fields
    msg = f"no form posting to {action!r} on the page"
    raise AssertionError(msg)


def csrf_of(page: str) -> str:
    """The page's CSRF token (from ``<body hx-headers>`` or a form)."""
    found = re.search(r'"X-CSRF-Token": "([0-9a-f]+)"', page) or re.search(
        r'name="csrf_token" value="([0-9a-f]+)"', page
    )
    if found is None:
        raise AssertionError("the page has no CSRF token")
    return found.group(1)


class ConsoleClient:
    """A browser on the console: follows the sign-in flow, posts forms with their token."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.http = client

    async def sign_in(self, email: str, password: str, *, next: str = "/") -> httpx.Response:
        """Sign in through the gateway's page; the answer of the page ``next`` leads to."""
        answer = await self.http.get("/connexion", params={"next": next})
        assert answer.status_code == 303, answer.text
        page = await self.http.get(answer.headers["location"])
        assert page.status_code == 200, page.text
        found = _ACTION.search(_FORM.findall(page.text)[0])
        assert found is not None
        form = {**hidden_fields(page.text), "email": email, "password": password}
        answer = await self.http.post(html.unescape(found.group(1)), data=form)
        assert answer.status_code == 303, answer.text[:2000]
        answer = await self.http.get(answer.headers["location"])  # the console's callback
        assert answer.status_code == 303, answer.text[:2000]
        return await self.http.get(answer.headers["location"])

    async def get(self, path: str, **kwargs: Any) -> httpx.Response:
        """A page."""
        return await self.http.get(path, **kwargs)

    async def submit(
        self, page_path: str, action: str, data: dict[str, Any] | None = None, **kwargs: Any
    ) -> httpx.Response:
        """Open ``page_path``, then post its form ``action`` with its hidden fields and ``data``."""
        page = await self.http.get(page_path)
        assert page.status_code == 200, page.text[:2000]
        fields: dict[str, Any] = {**hidden_fields(page.text, action), **(data or {})}
        return await self.http.post(action, data=fields, **kwargs)

    async def post(
        self, path: str, data: dict[str, Any] | None = None, **kwargs: Any
    ) -> httpx.Response:
        """A form post with this browser's CSRF token (read from the front page)."""
        page = await self.http.get("/", follow_redirects=True)
        return await self.http.post(
            path, data={"csrf_token": csrf_of(page.text), **(data or {})}, **kwargs
        )
