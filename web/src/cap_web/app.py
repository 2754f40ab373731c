"""The console's application: screens, sign-in, CSRF, strict headers, French error pages."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import httpx
from asgi_correlation_id import CorrelationIdMiddleware
from fastapi import Depends, FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cap_shared import telemetry
from cap_shared.access import AccessLogMiddleware
from cap_shared.correlation import REQUEST_ID_HEADER, current_request_id
from cap_shared.db.session import Database
from cap_shared.instrumentation import instrument_client
from cap_shared.migrate import upgrade
from cap_shared.serverspans import ServerSpanMiddleware
from cap_web import pages
from cap_web.api import ApiProblem, SignInRequired, TokenEndpoint
from cap_web.auth import router as auth_router
from cap_web.config import Settings
from cap_web.console import (
    STATIC,
    TEMPLATES,
    Console,
    Forbidden,
    console_of,
    is_htmx,
    render,
    session_row,
)
from cap_web.models import metadata
from cap_web.security import (
    CSRF_COOKIE,
    CSRF_FIELD,
    CSRF_HEADER,
    SAFE_METHODS,
    SecurityHeadersMiddleware,
    csrf_valid,
    new_csrf_cookie,
    safe_next,
    same_origin,
)
from cap_web.sessions import SessionStore

logger = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).parent / "migrations"


class CsrfRefused(Exception):
    """An unsafe request without this browser's form token, or from another site."""


async def csrf_protect(request: Request) -> None:
    """Every POST, PUT, PATCH and DELETE carries this browser's token (form field or header)."""
    if request.method in SAFE_METHODS:
        return
    settings = console_of(request).settings
    if not same_origin(request.headers.get("origin"), settings.public_base):
        raise CsrfRefused
    token = request.headers.get(CSRF_HEADER)
    if token is None:
        kind = request.headers.get("content-type", "")
        if kind.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            value = (await request.form()).get(CSRF_FIELD)
            token = value if isinstance(value, str) else None
    if not csrf_valid(settings.secret_key, request.cookies.get(CSRF_COOKIE), token):
        raise CsrfRefused


class CsrfCookieMiddleware:
    """Gives every browser its CSRF secret (``cap_csrf``) on its first visit."""

    def __init__(self, app: ASGIApp, *, secure: bool) -> None:
        self.app = app
        self.secure = secure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer through the console, a CSRF cookie set on a first visit."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        if request.cookies.get(CSRF_COOKIE):
            await self.app(scope, receive, send)
            return
        value = new_csrf_cookie()
        scope.setdefault("state", {})["csrf_cookie"] = value
        flags = "; Path=/; HttpOnly; SameSite=Lax" + ("; Secure" if self.secure else "")

        async def send_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"set-cookie", f"{CSRF_COOKIE}={value}{flags}".encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_cookie)


def _back_to(request: Request) -> str:
    """The page to come back to after signing in again."""
    if is_htmx(request):
        current = request.headers.get("hx-current-url", "")
        path = "/" + current.split("://", 1)[-1].split("/", 1)[-1] if current else "/"
        return safe_next(path)
    if request.method == "GET":
        return safe_next(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
    referer = request.headers.get("referer", "")
    return safe_next("/" + referer.split("://", 1)[-1].split("/", 1)[-1] if referer else "/")


async def _error(
    request: Request, status: int, title: str, detail: str = "", **more: object
) -> Response:
    """The French error page; for htmx, the message alone (shown in the page's alert area)."""
    with contextlib.suppress(Exception):  # the header shows who is signed in, if anyone
        await session_row(request)
    context = {"title": title, "detail": detail, **more}
    template = "_flash.html" if is_htmx(request) else "error.html"
    return render(request, template, context, status_code=status)


def _install_error_pages(app: FastAPI) -> None:
    @app.exception_handler(SignInRequired)
    async def sign_in_again(request: Request, _exc: SignInRequired) -> Response:
        target = "/connexion?next=" + quote(_back_to(request), safe="/")
        if is_htmx(request):
            return Response(status_code=401, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, _exc: Forbidden) -> Response:
        return await _error(
            request, 403, "Accès refusé", "Cette page est réservée à d'autres rôles que les vôtres."
        )

    @app.exception_handler(CsrfRefused)
    async def csrf_refused(request: Request, _exc: CsrfRefused) -> Response:
        return await _error(
            request,
            403,
            "Formulaire refusé",
            "Ce formulaire n'a pas été envoyé depuis la console, ou il a expiré. "
            "Rechargez la page et recommencez : ce que vous aviez saisi est conservé.",
        )

    @app.exception_handler(ApiProblem)
    async def api_problem(request: Request, exc: ApiProblem) -> Response:
        status = exc.status if 400 <= exc.status < 500 else 502
        return await _error(
            request, status, exc.title, exc.detail, errors=exc.errors, code=exc.code
        )

    @app.exception_handler(httpx.TransportError)
    async def unreachable(request: Request, exc: httpx.TransportError) -> Response:
        logger.warning("API unreachable: %s", exc)
        return await _error(
            request,
            503,
            "Service momentanément indisponible",
            "La plateforme ne répond pas. Réessayez dans un instant : "
            "ce que vous avez saisi est conservé dans ce navigateur.",
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        titles = {404: "Page introuvable", 405: "Action impossible ici"}
        detail = (
            "Cette adresse ne correspond à aucune page de la console."
            if exc.status_code == 404
            else ""
        )
        return await _error(
            request, exc.status_code, titles.get(exc.status_code, "Requête refusée"), detail
        )


async def _unexpected(request: Request) -> Response:
    return await _error(
        request,
        500,
        "Erreur inattendue",
        "La page n'a pas pu être affichée. L'équipe technique est prévenue.",
    )


class UnexpectedErrorMiddleware:
    """A bug answers the French 500 page, logged once, and the connection lives on.

    (Starlette's handler for ``Exception`` answers, then re-raises to the server, which logs
    it again and closes the connection.)"""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer through the console; a bug answers the French 500 page."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking)
        except Exception:
            request = Request(scope)
            logger.exception("console error on %s %s", request.method, request.url.path)
            if started:  # the answer is half sent: nothing better than closing it
                return
            response = await _unexpected(request)
            await response(scope, receive, send)


def create_app(
    settings: Settings | None = None,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    manage: bool = True,
) -> FastAPI:
    """The console. ``transport``: how to reach the gateway in-process (standalone); else
    over HTTP at ``settings.gateway_url``. ``manage``: open and close with the app's lifespan
    (else the composition root calls :func:`open_console` and :func:`close_console`)."""
    settings = settings or Settings()
    settings.check()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if manage:
            await open_console(app)
        try:
            yield
        finally:
            if manage:
                await close_console(app)

    app = FastAPI(
        title="Console CAP",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        lifespan=lifespan,
        dependencies=[Depends(csrf_protect)],
        # HTTP server spans: cap_shared.serverspans, below (FastAPI's own telemetry stays off).
        telemetry={
            "tracing": False,
            "metrics": False,
            "logs": False,
            "operation_spans": False,
            "auto_configure": False,
        },
    )
    app.state.settings = settings
    app.state.transport = transport
    app.add_middleware(UnexpectedErrorMiddleware)
    app.add_middleware(CsrfCookieMiddleware, secure=not settings.is_development)
    app.add_middleware(SecurityHeadersMiddleware)
    # One access line per request, with a request id the calls to the gateway pass on.
    app.add_middleware(AccessLogMiddleware, service="web", caller=console_caller)
    app.add_middleware(CorrelationIdMiddleware, header_name=REQUEST_ID_HEADER)
    if telemetry.enabled():  # the request's SERVER span, outermost (cap_shared.app)
        app.add_middleware(ServerSpanMiddleware)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    _install_error_pages(app)
    app.include_router(auth_router)
    for router in pages.routers():
        app.include_router(router)

    @app.get("/favicon.ico", include_in_schema=False)
    async def favicon() -> FileResponse:
        return FileResponse(STATIC / "favicon.svg", media_type="image/svg+xml")

    @app.get("/console/healthz", include_in_schema=False)
    async def healthz() -> JSONResponse:
        return JSONResponse({"status": "ok"})

    return app


def console_caller(scope: Scope) -> str:
    """The access line's caller: ``user`` when the request had a live session, else anonymous."""
    return "user" if scope.get("state", {}).get("console_row") is not None else "anonymous"


async def _pass_request_id(request: httpx.Request) -> None:
    """The gateway logs the console's calls under the request id of the console's request."""
    request_id = current_request_id()
    if request_id and REQUEST_ID_HEADER not in request.headers:
        request.headers[REQUEST_ID_HEADER] = request_id


async def open_console(app: FastAPI) -> None:
    """Migrate the sessions' database (unless ``cap-web migrate`` does it: distributed) and
    open the connection to the gateway."""
    settings: Settings = app.state.settings
    db = Database(settings.database_url)
    if settings.migrate_on_start:
        await upgrade(db, MIGRATIONS, metadata=metadata)
    http = instrument_client(
        httpx.AsyncClient(
            base_url=settings.gateway_url.rstrip("/"),
            transport=app.state.transport,
            timeout=httpx.Timeout(settings.api_timeout_s, connect=5.0),
            follow_redirects=False,
            event_hooks={"request": [_pass_request_id]},
        )
    )
    templates = Jinja2Templates(directory=TEMPLATES)
    app.state.db = db
    app.state.console = Console(
        settings=settings,
        store=SessionStore(db, idle=timedelta(seconds=settings.session_idle_s)),
        http=http,
        tokens=TokenEndpoint(
            http, client_id=settings.client_id, client_secret=settings.client_secret
        ),
        templates=templates,
    )


async def close_console(app: FastAPI) -> None:
    """Close the connection to the gateway and the database."""
    console: Console | None = getattr(app.state, "console", None)
    if console is not None:
        await console.http.aclose()
    db: Database | None = getattr(app.state, "db", None)
    if db is not None:
        await db.dispose()
