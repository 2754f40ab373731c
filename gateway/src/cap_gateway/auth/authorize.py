"""The authorization endpoint and its French sign-in page, userinfo and OpenID discovery.

``GET /v1/auth/authorize`` checks the app's request and shows the page; ``POST`` checks the
password (the password grant's check, throttles included) and sends the browser back to the app
with a code (RFC 6749 §4.1.2, RFC 9207's ``iss``). An unknown app or a redirect URI it has not
registered is told on the page, never redirected to.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from functools import cache
from pathlib import Path
from typing import Annotated, Any

import jinja2
import jwt
from fastapi import APIRouter, FastAPI, Form, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import AfterValidator

from cap_gateway.accounts.repository import AccountRepository
from cap_gateway.auth import oauth
from cap_gateway.auth.documents import OpenIdConfiguration
from cap_gateway.auth.oauth import AuthorizationRequest, Client, PageError, RedirectError
from cap_gateway.auth.schemas import UserInfo
from cap_gateway.auth.service import authenticate_person
from cap_gateway.deps import GatewayDep
from cap_gateway.runtime import GatewayRuntime
from cap_shared.deps import SessionDep
from cap_shared.problems import problem_response
from cap_shared.routes import SignedInDep, errors
from cap_shared.security import Public
from cap_shared.text import printable

router = APIRouter(tags=["auth"])
well_known = APIRouter(tags=["auth"], dependencies=[Public])

#: The browser's cookie the sign-in form's anti-forgery token is bound to.
COOKIE = "cap_sign_in"
COOKIE_PATH = "/v1/auth/authorize"
_TEMPLATES = Path(__file__).parent / "templates"
Printable = Annotated[str, AfterValidator(printable)]

_HTML_ERROR = {"content": {"text/html": {"schema": {"type": "string"}}}}
_PAGE = {
    "description": "The French sign-in page (HTML)",
    "content": {"text/html": {"schema": {"type": "string"}}},
}
_TO_APP = {
    "description": (
        "Back to the app's redirect URI: `code`, `state` and `iss` (RFC 9207) on success, "
        "`error`, `error_description`, `state` and `iss` otherwise (RFC 6749 §4.1.2.1)"
    ),
    "headers": {"Location": {"schema": {"type": "string", "format": "uri"}}},
}
_BAD_APP = {
    "description": (
        "Unknown client_id or a redirect_uri the app has not registered: the page says so in "
        "French and does not redirect"
    ),
    **_HTML_ERROR,
}


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(_TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )


@cache
def _style() -> tuple[str, str]:
    """The page's CSS and its CSP hash (inline, no CDN: the page loads nothing else)."""
    css = (_TEMPLATES / "sign_in.css").read_text(encoding="utf-8").strip()
    digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
    return css, f"'sha256-{digest}'"


def _page(
    *,
    status: int,
    client: Client | None = None,
    error: str | None = None,
    form: bool = False,
    fields: dict[str, str] | None = None,
    csrf_token: str = "",
    email: str = "",
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    css, css_hash = _style()
    html = (
        _environment()
        .get_template("sign_in.html")
        .render(
            style=css,
            client_name=client.name if client else "",
            error=error,
            form=form,
            action=COOKIE_PATH,
            fields=fields or {},
            csrf_token=csrf_token,
            email=email,
        )
    )
    return HTMLResponse(
        html,
        status_code=status,
        headers={
            "Cache-Control": "no-store",
            "Pragma": "no-cache",
            "Content-Language": "fr",
            "X-Frame-Options": "DENY",
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
            "Content-Security-Policy": (
                f"default-src 'none'; style-src {css_hash}; frame-ancestors 'none'; base-uri 'none'"
            ),
            **(headers or {}),
        },
    )


def _signer(gateway: GatewayRuntime) -> oauth.FormSigner:
    settings = gateway.settings
    return oauth.FormSigner(settings.key_encryption_secret, ttl=settings.sign_in_form_ttl_s)


def _to_app(
    gateway: GatewayRuntime, request: AuthorizationRequest, params: dict[str, str], status: int
) -> RedirectResponse:
    location = oauth.redirect_location(
        request.redirect_uri,
        {**params, "state": request.state, "iss": gateway.settings.issuer},
    )
    return RedirectResponse(location, status_code=status, headers={"Cache-Control": "no-store"})


def _form_page(
    gateway: GatewayRuntime,
    client: Client,
    request: AuthorizationRequest,
    *,
    status: int = 200,
    error: str | None = None,
    email: str = "",
    browser: str | None = None,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """The form, with a fresh anti-forgery token bound to the browser's cookie (set if new)."""
    new_cookie = browser is None
    browser = browser or secrets.token_urlsafe(32)
    fields = request.fields()
    response = _page(
        status=status,
        client=client,
        error=error,
        form=True,
        fields=fields,
        csrf_token=_signer(gateway).token(browser, fields),
        email=email,
        headers=headers,
    )
    if new_cookie:
        response.set_cookie(
            COOKIE,
            browser,
            path=COOKIE_PATH,
            httponly=True,
            samesite="lax",
            secure=gateway.settings.public_base.startswith("https://"),
            max_age=gateway.settings.sign_in_form_ttl_s,
        )
    return response


# parameters shared by the GET (query) and the POST (form) -----------------------------------
def _request(
    response_type: str | None,
    client_id: str | None,
    redirect_uri: str | None,
    scope: str | None,
    state: str | None,
    code_challenge: str | None,
    code_challenge_method: str | None,
    nonce: str | None,
) -> AuthorizationRequest:
    return AuthorizationRequest(
        response_type=response_type or "",
        client_id=client_id or "",
        redirect_uri=redirect_uri or "",
        scope=scope or "",
        state=state or "",
        code_challenge=code_challenge or "",
        code_challenge_method=code_challenge_method or "",
        nonce=nonce or "",
    )


def _rejected(
    gateway: GatewayRuntime,
    client: Client | None,
    request: AuthorizationRequest,
    problem: PageError | RedirectError,
    status: int,
) -> Response:
    if isinstance(problem, PageError):
        return _page(status=400, client=client, error=problem.message)
    return _to_app(
        gateway,
        request,
        {"error": problem.error, "error_description": problem.description},
        status,
    )


@router.get(
    "/v1/auth/authorize",
    dependencies=[Public],
    response_class=HTMLResponse,
    responses={200: _PAGE, 302: _TO_APP, 400: _BAD_APP},
)
async def authorize_page(
    request: Request,
    gateway: GatewayDep,
    response_type: Annotated[Printable | None, Query(max_length=32)] = None,
    client_id: Annotated[Printable | None, Query(max_length=64)] = None,
    redirect_uri: Annotated[Printable | None, Query(max_length=500)] = None,
    scope: Annotated[Printable | None, Query(max_length=200)] = None,
    state: Annotated[Printable | None, Query(max_length=500)] = None,
    code_challenge: Annotated[Printable | None, Query(max_length=128)] = None,
    code_challenge_method: Annotated[Printable | None, Query(max_length=16)] = None,
    nonce: Annotated[Printable | None, Query(max_length=200)] = None,
) -> Response:
    """OAuth 2.0 authorization endpoint (code + PKCE S256): the French sign-in page."""
    asked = _request(
        response_type,
        client_id,
        redirect_uri,
        scope,
        state,
        code_challenge,
        code_challenge_method,
        nonce,
    )
    client, problem = oauth.check_request(gateway.oauth_clients, asked)
    if problem is not None:
        return _rejected(gateway, client, asked, problem, 302)
    assert client is not None
    return _form_page(gateway, client, asked, browser=request.cookies.get(COOKIE) or None)


@router.post(
    "/v1/auth/authorize",
    dependencies=[Public],
    response_class=HTMLResponse,
    status_code=303,
    responses={
        303: _TO_APP,
        400: {
            "description": (
                "Unknown app or unregistered redirect URI, an expired or forged form, or a wrong "
                "e-mail or password: the page again, with the error in French"
            ),
            **_HTML_ERROR,
        },
        429: {"description": "Too many sign-in attempts (see Retry-After)", **_HTML_ERROR},
    },
)
async def authorize_sign_in(
    request: Request,
    session: SessionDep,
    gateway: GatewayDep,
    email: Annotated[Printable, Form(max_length=254)],
    password: Annotated[str, Form(max_length=256)],
    csrf_token: Annotated[str, Form(max_length=200)],
    response_type: Annotated[Printable | None, Form(max_length=32)] = None,
    client_id: Annotated[Printable | None, Form(max_length=64)] = None,
    redirect_uri: Annotated[Printable | None, Form(max_length=500)] = None,
    scope: Annotated[Printable | None, Form(max_length=200)] = None,
    state: Annotated[Printable | None, Form(max_length=500)] = None,
    code_challenge: Annotated[Printable | None, Form(max_length=128)] = None,
    code_challenge_method: Annotated[Printable | None, Form(max_length=16)] = None,
    nonce: Annotated[Printable | None, Form(max_length=200)] = None,
) -> Response:
    """The sign-in form: on the right password, back to the app with a single-use code."""
    asked = _request(
        response_type,
        client_id,
        redirect_uri,
        scope,
        state,
        code_challenge,
        code_challenge_method,
        nonce,
    )
    client, problem = oauth.check_request(gateway.oauth_clients, asked)
    if problem is not None:
        return _rejected(gateway, client, asked, problem, 303)
    assert client is not None
    browser = request.cookies.get(COOKIE, "")
    if not _signer(gateway).valid(csrf_token, browser, asked.fields()):
        return _form_page(
            gateway,
            client,
            asked,
            status=400,
            error="Le formulaire a expiré ou ne vient pas de cette page : veuillez réessayer.",
            email=email,
            browser=browser or None,
        )
    address = gateway.addresses.of(request)
    for name, key in (("login", address), ("login-account", email.strip().lower())):
        decision = await gateway.limiter.hit(name, key)
        if not decision.allowed:
            retry = str(max(1, int(decision.retry_after)))
            return _form_page(
                gateway,
                client,
                asked,
                status=429,
                error=(
                    "Trop de tentatives de connexion : veuillez patienter quelques minutes "
                    "avant de réessayer."
                ),
                email=email,
                browser=browser,
                headers={"Retry-After": retry},
            )
    user = await authenticate_person(
        AccountRepository(session), gateway.identity, username=email, password=password
    )
    if user is None:
        return _form_page(
            gateway,
            client,
            asked,
            status=400,
            error="Adresse e-mail ou mot de passe incorrect.",
            email=email,
            browser=browser,
        )
    code = await oauth.issue_code(session, gateway.settings, user=user, request=asked)
    response = _to_app(gateway, asked, {"code": code}, 303)
    response.delete_cookie(COOKIE, path=COOKIE_PATH)
    return response


def _bearer_claims(request: Request) -> dict[str, Any]:
    """The claims of the request's bearer token, already verified by the access check."""
    token = request.headers.get("authorization", "").partition(" ")[2]
    claims: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return claims


async def _userinfo(request: Request, session: SessionDep, principal: Any) -> Response:
    if principal.user_id is None:
        return problem_response(
            status=403,
            code="forbidden",
            title="Forbidden",
            title_fr="Action interdite",
            detail="userinfo describes people; a system's token has no person",
            detail_fr="userinfo décrit des personnes ; le jeton d'un système n'en a pas",
        )
    sid = _bearer_claims(request).get("sid")
    info = await oauth.userinfo(session, user_id=principal.user_id)
    if info is None or (
        isinstance(sid, str) and await oauth.session_revoked(session, family_id=sid)
    ):
        return problem_response(
            status=401,
            code="unauthorized",
            title="Authentication required",
            title_fr="Authentification requise",
            detail="the access token was revoked",
            detail_fr="le jeton d'accès a été révoqué",
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        )
    return JSONResponse(info.model_dump(), headers={"Cache-Control": "no-store"})


_USERINFO_ERRORS = errors(
    401,
    403,
    described={
        401: "No valid access token, or one whose sign-in was revoked",
        403: "A system's token (client credentials): userinfo describes people",
    },
)


@router.get("/v1/auth/userinfo", response_model=UserInfo, responses=_USERINFO_ERRORS)
async def userinfo(request: Request, session: SessionDep, principal: SignedInDep) -> Response:
    """OpenID Connect userinfo: who the access token's person is, their roles and
    organisations (``roles``, ``organisations``: the platform's own claims)."""
    return await _userinfo(request, session, principal)


@router.post("/v1/auth/userinfo", response_model=UserInfo, responses=_USERINFO_ERRORS)
async def userinfo_post(request: Request, session: SessionDep, principal: SignedInDep) -> Response:
    """OpenID Connect userinfo, by POST (OpenID Connect Core §5.3.1 admits both)."""
    return await _userinfo(request, session, principal)


@well_known.get("/.well-known/openid-configuration", response_model=OpenIdConfiguration)
async def openid_configuration(gateway: GatewayDep) -> JSONResponse:
    """OpenID Connect discovery: endpoints, keys and what the platform supports."""
    return JSONResponse(
        oauth.metadata(gateway.settings), headers={"Cache-Control": "public, max-age=300"}
    )


def declare_openid_connect(app: FastAPI) -> None:
    """Add the ``openIdConnect`` security scheme to the app's OpenAPI document, next to
    ``oauth2``. Its discovery URL is relative to the document's server (OpenAPI 3.1 allows
    relative URLs), so the committed contract names no host; the discovery document itself
    gives absolute URLs from the public base URL."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        document = generate()
        schemes = document.setdefault("components", {}).setdefault("securitySchemes", {})
        schemes.setdefault(
            "openIdConnect",
            {
                "type": "openIdConnect",
                "openIdConnectUrl": "/.well-known/openid-configuration",
                "description": "OpenID Connect discovery of the same authorization server",
            },
        )
        return document

    app.openapi = openapi  # type: ignore[method-assign]
