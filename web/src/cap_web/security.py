"""The browser-facing defences: CSRF tokens on every form, strict headers, safe redirects.

CSRF: a random, HttpOnly ``cap_csrf`` cookie per browser; each form carries
``HMAC(secret_key, cookie)`` in its ``csrf_token`` field, and htmx sends it as ``X-CSRF-Token``
(from the ``hx-headers`` of ``<body>``). Every unsafe method without the right token is 403,
and so is one whose ``Origin`` is another site's. The token is bound to the browser, not to
the session: a form rendered before sign-in still submits after it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from urllib.parse import urlsplit

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSRF_COOKIE = "cap_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

#: No inline script, no inline style, nothing from another origin; forms post here only,
#: except the sign-in page of the gateway (same origin in every topology).
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
        "manifest-src 'self'",
    ]
)

SECURITY_HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]


def csrf_token(secret_key: str, cookie: str) -> str:
    """The form token of the browser holding ``cookie``."""
    return hmac.new(secret_key.encode(), f"csrf:{cookie}".encode(), hashlib.sha256).hexdigest()


def csrf_valid(secret_key: str, cookie: str | None, token: str | None) -> bool:
    """Whether ``token`` is the form token of ``cookie`` (constant time)."""
    if not cookie or not token:
        return False
    return hmac.compare_digest(csrf_token(secret_key, cookie), token)


def new_csrf_cookie() -> str:
    """A fresh browser secret for the CSRF cookie."""
    return secrets.token_urlsafe(24)


def same_origin(origin: str | None, public_base: str) -> bool:
    """Whether an ``Origin`` header (absent counts as same) is the console's own."""
    if not origin:
        return True
    mine = urlsplit(public_base)
    theirs = urlsplit(origin)
    return (theirs.scheme, theirs.netloc) == (mine.scheme, mine.netloc)


def safe_next(target: str | None, default: str = "/") -> str:
    """A local path to go back to after sign-in, never another site.

    Only ``/path?query`` is kept: no scheme, no host, no ``//`` or ``/\\`` (which browsers read
    as another host), no control characters.
    """
    if not target or len(target) > 2000:
        return default
    if any(ord(c) < 0x20 or c == "\x7f" for c in target):
        return default
    if not target.startswith("/") or target.startswith(("//", "/\\")) or "\\" in target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return parts.path + (f"?{parts.query}" if parts.query else "")


class SecurityHeadersMiddleware:
    """Adds the CSP and the other protective headers to every answer of the console."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer through the console, the headers added to the response's start."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS:
                    if name.decode() not in headers:
                        headers.append(name.decode(), value.decode())
            await send(message)

        await self.app(scope, receive, send_with_headers)
