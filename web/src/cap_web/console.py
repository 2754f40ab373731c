"""What every screen of the console needs: the API, the session, the templates, the form tools.

Screens are modules of :mod:`cap_web.pages`, one per area (a package of one module per screen
for the larger areas), each with an ``APIRouter``. A screen takes ``ApiDep`` (the API as the
person calls it), ``PersonDep`` (signed in, else through sign-in and back) or ``require(...)``
(signed in with one of the roles), and answers ``render(...)``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import httpx
from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from cap_web import formats
from cap_web.api import Api, SignInRequired, TokenEndpoint
from cap_web.config import Settings
from cap_web.models import ConsoleSession
from cap_web.security import CSRF_COOKIE, csrf_token
from cap_web.sessions import SESSION_COOKIE, Person, SessionStore, person_of

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"


@dataclass
class Console:
    """The console's long-lived parts (``app.state.console``)."""

    settings: Settings
    store: SessionStore
    http: httpx.AsyncClient
    tokens: TokenEndpoint
    templates: Jinja2Templates


class Forbidden(Exception):
    """Signed in, but the screen is for other roles."""


def console_of(request: Request) -> Console:
    """The console serving ``request``."""
    console: Console = request.app.state.console
    return console


async def session_row(request: Request) -> ConsoleSession | None:
    """The request's live session (read once per request)."""
    if "console_row" not in request.state._state:
        console = console_of(request)
        request.state.console_row = await console.store.load(request.cookies.get(SESSION_COOKIE))
    row: ConsoleSession | None = request.state.console_row
    return row


def client_address(request: Request) -> str | None:
    """The browser's address, passed on to the gateway (its rate limits are per person)."""
    return request.client.host if request.client else None


async def api(request: Request) -> Api:
    """The API as the person of ``request`` calls it (anonymous on the public screens)."""
    console = console_of(request)
    return Api(
        console.http,
        store=console.store,
        tokens=console.tokens,
        row=await session_row(request),
        forwarded_for=client_address(request),
    )


async def person(request: Request) -> Person:
    """The signed-in person; sends the browser through sign-in otherwise."""
    row = await session_row(request)
    if row is None:
        raise SignInRequired
    return person_of(row)


async def maybe_person(request: Request) -> Person | None:
    """The signed-in person, or None on a public screen."""
    row = await session_row(request)
    return None if row is None else person_of(row)


ApiDep = Annotated[Api, Depends(api)]
PersonDep = Annotated[Person, Depends(person)]
MaybePersonDep = Annotated[Person | None, Depends(maybe_person)]


def require(*roles: str) -> Any:
    """A dependency: the signed-in person, who must hold one of ``roles`` (else 403)."""

    async def check(request: Request) -> Person:
        who = await person(request)
        if not who.has(*roles):
            raise Forbidden
        return who

    return Depends(check)


def is_htmx(request: Request) -> bool:
    """Whether htmx asked (a fragment is answered, not a whole page)."""
    return request.headers.get("hx-request") == "true"


def new_idempotency_key() -> str:
    """A fresh key for one form: submitting it twice is one operation at the API."""
    return str(uuid.uuid4())


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """Render ``template`` with what every page has: the person, the CSRF token, the path."""
    console = console_of(request)
    row: ConsoleSession | None = request.state._state.get("console_row")
    cookie = request.state._state.get("csrf_cookie") or request.cookies.get(CSRF_COOKIE) or ""
    base = {
        "request": request,
        "person": person_of(row) if row is not None else None,
        "csrf_token": csrf_token(console.settings.secret_key, cookie),
        "idempotency_key": new_idempotency_key(),
        "current_path": request.url.path,
        "fmt": formats,
    }
    return console.templates.TemplateResponse(
        request, template, {**base, **(context or {})}, status_code=status_code, headers=headers
    )


def redirect(url: str, *, request: Request | None = None) -> Response:
    """After a form: 303 to ``url`` (``HX-Redirect`` for htmx, which follows it itself)."""
    if request is not None and is_htmx(request):
        return Response(status_code=204, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)
