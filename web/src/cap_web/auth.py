"""Sign-in (authorization code + PKCE, as the confidential client ``cap-console``), sign-out.

``/connexion?next=/page`` starts the flow: state, PKCE verifier and nonce go in a signed,
short-lived, HttpOnly cookie, and the browser goes to the gateway's French sign-in page. The
gateway sends it back to ``/console/callback`` with a code, exchanged here (with the verifier
and the client secret) for tokens that never leave the server. ``next`` is kept only when it
is a local path (:func:`cap_web.security.safe_next`).
"""

from __future__ import annotations

import base64
import hashlib
import logging
import secrets
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from cap_web.api import ApiProblem
from cap_web.console import console_of, render, session_row
from cap_web.security import safe_next
from cap_web.sessions import SESSION_COOKIE, Person, Tokens

logger = logging.getLogger(__name__)
router = APIRouter()

SIGN_IN_COOKIE = "cap_signin"


def _serializer(request: Request) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(console_of(request).settings.secret_key, salt="cap-sign-in")


def _challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _cookie_flags(request: Request) -> dict[str, Any]:
    return {
        "httponly": True,
        "samesite": "lax",
        "secure": not console_of(request).settings.is_development,
        "path": "/",
    }


@router.get("/connexion", include_in_schema=False)
async def sign_in(request: Request, next: str | None = None) -> Response:
    """Send the browser to the sign-in page, to come back to ``next``."""
    settings = console_of(request).settings
    target = safe_next(next)
    if await session_row(request) is not None:
        return RedirectResponse(target, status_code=303)
    state, verifier, nonce = (
        secrets.token_urlsafe(24),
        secrets.token_urlsafe(48),
        secrets.token_urlsafe(16),
    )
    query = urlencode(
        {
            "response_type": "code",
            "client_id": settings.client_id,
            "redirect_uri": settings.callback_url,
            "scope": "openid profile email",
            "state": state,
            "nonce": nonce,
            "code_challenge": _challenge(verifier),
            "code_challenge_method": "S256",
        }
    )
    response = RedirectResponse(f"{settings.public_base}/v1/auth/authorize?{query}", 303)
    value = _serializer(request).dumps({"s": state, "v": verifier, "n": target})
    response.set_cookie(
        SIGN_IN_COOKIE, value, max_age=settings.sign_in_ttl_s, **_cookie_flags(request)
    )
    return response


@router.get("/console/callback", include_in_schema=False)
async def callback(
    request: Request,
    code: str | None = None,
    state: str | None = None,
    error: str | None = None,
) -> Response:
    """Where the sign-in page sends the browser back: open the session, go to ``next``."""
    console = console_of(request)
    settings = console.settings
    try:
        pending = _serializer(request).loads(
            request.cookies.get(SIGN_IN_COOKIE, ""), max_age=settings.sign_in_ttl_s
        )
    except BadSignature:
        pending = None
    if (
        not isinstance(pending, dict)
        or not state
        or not secrets.compare_digest(str(pending.get("s", "")), state)
    ):
        # Another tab started a sign-in meanwhile, or the page waited too long: start again.
        return render(
            request,
            "signin_failed.html",
            {"reason": "La connexion a expiré ou a été ouverte dans un autre onglet."},
            status_code=400,
        )
    target = safe_next(str(pending.get("n", "/")))
    if error or not code:
        return render(
            request,
            "signin_failed.html",
            {"reason": "La connexion a été refusée.", "next": target},
            status_code=400,
        )
    try:
        body = await console.tokens.exchange(
            code=code, redirect_uri=settings.callback_url, verifier=str(pending["v"])
        )
        info = await console.tokens.userinfo(body["access_token"])
    except ApiProblem as problem:
        logger.info("sign-in code refused: %s", problem)
        return render(
            request,
            "signin_failed.html",
            {"reason": problem.detail or problem.title, "next": target},
            status_code=400,
        )
    who = Person(
        user_id=str(info["sub"]),
        name=str(info.get("name") or info.get("email") or ""),
        email=str(info.get("email") or ""),
        roles=list(info.get("roles") or []),
        organisations=list(info.get("organisations") or []),
    )
    tokens = Tokens(body["access_token"], body["refresh_token"], int(body["expires_in"]))
    secret = await console.store.create(who, tokens)
    response = RedirectResponse(target, status_code=303)
    response.delete_cookie(SIGN_IN_COOKIE, path="/")
    response.set_cookie(
        SESSION_COOKIE, secret, max_age=settings.session_idle_s, **_cookie_flags(request)
    )
    return response


@router.post("/deconnexion", include_in_schema=False)
async def sign_out(request: Request) -> Response:
    """Revoke the refresh token at the gateway, forget the session, clear the cookie."""
    console = console_of(request)
    row = await session_row(request)
    if row is not None:
        try:
            await console.tokens.revoke(row.refresh_token)
        finally:
            await console.store.forget(row.id)
    response = RedirectResponse("/?deconnecte=1", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
