"""Driving the console without a browser, as a browser would (tests): cookies, the sign-in page,
forms with their CSRF token and idempotency key; what a page weighs on its first load."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

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


# -- first-load weight ----------------------------------------------------------------------------
#: The first-load budget of every page (HTML + CSS + JS), in bytes: 150 KB.
FIRST_LOAD_BUDGET = 150_000
_TAG = re.compile(r"<(link|script)\b([^>]*)>", re.I)
_ATTR = re.compile(r"""([a-zA-Z_:][-a-zA-Z0-9_:.]*)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")
_CSS_IMPORT = re.compile(r"""@import\s+(?:url\(\s*)?["']?([^"')\s;]+)""", re.I)


def _attributes(text: str) -> dict[str, str]:
    return {
        m.group(1).lower(): html.unescape(m.group(2) or m.group(3) or m.group(4) or "")
        for m in _ATTR.finditer(text)
    }


def page_assets(page: str, base: str) -> list[tuple[str, str]]:
    """The stylesheets and scripts a page loads: ``(kind, absolute URL)``, in order, once each
    (``<link rel=stylesheet>``, ``<link rel=preload|modulepreload>`` of a style or a script,
    ``<script src>``)."""
    found: list[tuple[str, str]] = []
    for tag, text in _TAG.findall(page):
        attributes = _attributes(text)
        rel = set(attributes.get("rel", "").lower().split())
        if tag.lower() == "script" and attributes.get("src"):
            kind, href = "js", attributes["src"]
        elif "stylesheet" in rel and attributes.get("href"):
            kind, href = "css", attributes["href"]
        elif rel & {"preload", "modulepreload"} and attributes.get("href"):
            kind = "css" if attributes.get("as") == "style" else "js"
            href = attributes["href"]
        else:
            continue
        url = urljoin(base, href)
        if all(url != seen for _, seen in found):
            found.append((kind, url))
    return found


@dataclass
class Weight:
    """What a browser downloads to show a page the first time (no cache): the HTML, its
    stylesheets (and their ``@import``) and its scripts, in bytes as served."""

    url: str
    status: int
    html: int
    #: ``(kind, url, bytes)`` of each stylesheet and script.
    assets: list[tuple[str, str, int]] = field(default_factory=list)
    #: Assets from another origin (the CSP refuses them; counted as missing here).
    foreign: list[str] = field(default_factory=list)
    #: Assets the console answered with an error.
    broken: list[str] = field(default_factory=list)

    @property
    def css(self) -> int:
        """Bytes of stylesheets."""
        return sum(size for kind, _, size in self.assets if kind == "css")

    @property
    def js(self) -> int:
        """Bytes of scripts."""
        return sum(size for kind, _, size in self.assets if kind == "js")

    @property
    def total(self) -> int:
        """Bytes of the page and its assets."""
        return self.html + self.css + self.js

    def describe(self) -> str:
        """One line per part, largest first (for a failure message or a report)."""
        lines = [f"{self.url}: {self.total:,} bytes (HTML {self.html:,})"]
        for kind, url, size in sorted(self.assets, key=lambda a: -a[2]):
            lines.append(f"  {kind:<3} {size:>9,}  {urlsplit(url).path}")
        lines += [f"  another origin (refused by the CSP): {u}" for u in self.foreign]
        lines += [f"  broken: {u}" for u in self.broken]
        return "\n".join(lines)


async def first_load(http: httpx.AsyncClient, path: str) -> Weight:
    """Load ``path`` as a browser with an empty cache would, with ``http``'s cookies: the page
    (redirects followed), then each stylesheet (with its ``@import``) and script it names."""
    page = await http.get(path, follow_redirects=True)
    base = str(page.url)
    origin = urlsplit(base)[:2]
    weight = Weight(base, page.status_code, len(page.content))
    queue = page_assets(page.text, base)
    seen: set[str] = set()
    while queue:
        kind, url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        if urlsplit(url)[:2] != origin:
            weight.foreign.append(url)
            continue
        answer = await http.get(url)
        if answer.status_code != 200:
            weight.broken.append(f"{url} ({answer.status_code})")
            continue
        weight.assets.append((kind, url, len(answer.content)))
        if kind == "css":
            queue += [("css", urljoin(url, i)) for i in _CSS_IMPORT.findall(answer.text)]
    return weight
