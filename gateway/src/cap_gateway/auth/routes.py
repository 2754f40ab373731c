"""Token endpoint (authorization_code, refresh_token, client_credentials, password), revocation,
JWKS, metadata."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import JSONResponse, Response
from pydantic import AfterValidator

from cap_gateway.auth import oauth
from cap_gateway.auth import service as auth_service
from cap_gateway.auth.documents import AuthorizationServerMetadata, Jwks
from cap_gateway.auth.schemas import SigningKeyPublic, TokenResponse
from cap_gateway.auth.service import DEFAULT_PUBLIC_CLIENT, OAuthError
from cap_gateway.deps import GatewayDep
from cap_shared.deps import SessionDep
from cap_shared.pagination import (
    DEFAULT_PAGE_SIZE,
    Keyset,
    Page,
    PageCursor,
    PageLimit,
    field_key,
)
from cap_shared.problems import problem_response
from cap_shared.routes import AdminDep
from cap_shared.security import Public
from cap_shared.text import printable

router = APIRouter(tags=["auth"])
well_known = APIRouter(tags=["auth"], dependencies=[Public])
keys_router = APIRouter(prefix="/v1/ops/gateway/signing-keys", tags=["ops"])

_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
#: Looked up in the database, which cannot hold a NUL: control characters are a 422.
Printable = Annotated[str, AfterValidator(printable)]
Field64 = Annotated[Printable | None, Form(max_length=64)]


def _oauth_problem(error: OAuthError) -> JSONResponse:
    headers = dict(_NO_STORE)
    if error.status == 401:
        headers["WWW-Authenticate"] = 'Basic realm="cap"'
    return problem_response(
        status=error.status,
        code=error.error.replace("_", "-"),
        title="Token request refused",
        title_fr="Demande de jeton refusée",
        detail=error.description,
        detail_fr=error.description_fr or _FRENCH.get(error.error),
        # RFC 6749 §5.2 members, for OAuth client libraries.
        extensions={"error": error.error, "error_description": error.description},
        headers=headers,
    )


#: French details of the token endpoint's errors (the English one is specific; these say the
#: kind of error, which is what a French interface shows).
_FRENCH = {
    "invalid_request": "la demande de jeton est incomplète ou mal formée",
    "invalid_grant": "le code, le jeton ou les identifiants présentés sont invalides ou expirés",
    "invalid_client": "application inconnue ou secret incorrect",
    "invalid_scope": "une portée demandée n'est pas accordée",
    "unsupported_grant_type": "ce type d'autorisation n'est pas accepté ici",
}


def _basic_credentials(request: Request) -> tuple[str, str] | None:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        client_id, _, secret = base64.b64decode(value, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return client_id, secret


@router.post(
    "/v1/auth/token",
    response_model=TokenResponse,
    dependencies=[Public],
    responses={
        400: {
            "description": (
                "invalid_request, invalid_grant (a wrong code_verifier, a used or expired code), "
                "invalid_scope, unsupported_grant_type (the password grant in production)"
            )
        },
        401: {"description": "invalid_client"},
        429: {"description": "Too many sign-in attempts (see Retry-After)"},
    },
)
async def issue_token(
    request: Request,
    session: SessionDep,
    gateway: GatewayDep,
    grant_type: Annotated[str, Form(max_length=32)],
    code: Annotated[str | None, Form(max_length=200)] = None,
    redirect_uri: Annotated[Printable | None, Form(max_length=500)] = None,
    code_verifier: Annotated[str | None, Form(max_length=200)] = None,
    username: Annotated[Printable | None, Form(max_length=254)] = None,
    password: Annotated[str | None, Form(max_length=256)] = None,
    refresh_token: Annotated[str | None, Form(max_length=200)] = None,
    client_id: Field64 = None,
    client_secret: Annotated[str | None, Form(max_length=200)] = None,
    scope: Annotated[Printable | None, Form(max_length=200)] = None,
) -> Response:
    """OAuth2 token endpoint: exchange an authorization code (PKCE), rotate a refresh token,
    authenticate a system, or (development and scripts) sign in with a password."""
    result: TokenResponse | OAuthError
    address = gateway.addresses.of(request)
    if grant_type == "authorization_code":
        if not code:
            return _oauth_problem(
                OAuthError(
                    "invalid_request", "code is needed", description_fr="le code est nécessaire"
                )
            )
        result = await oauth.code_grant(
            session,
            gateway.identity,
            gateway.oauth_clients,
            code=code,
            redirect_uri=redirect_uri,
            code_verifier=code_verifier,
            client_id=client_id,
            basic=_basic_credentials(request),
            client_secret=client_secret,
        )
    elif grant_type == "password" and gateway.settings.password_grant:
        if not username or password is None:
            return _oauth_problem(
                OAuthError(
                    "invalid_request",
                    "username and password are needed",
                    description_fr="l'identifiant et le mot de passe sont nécessaires",
                )
            )
        await gateway.limiter.check("login", address, detail="too many sign-in attempts")
        await gateway.limiter.check(
            "login-account", username.strip().lower(), detail="too many sign-in attempts"
        )
        result = await auth_service.password_grant(
            session,
            gateway.identity,
            username=username,
            password=password,
            client_id=client_id or DEFAULT_PUBLIC_CLIENT,
        )
    elif grant_type == "refresh_token":
        if not refresh_token:
            return _oauth_problem(
                OAuthError(
                    "invalid_request",
                    "refresh_token is needed",
                    description_fr="refresh_token est nécessaire",
                )
            )
        result = await auth_service.refresh_grant(
            session, gateway.identity, refresh_token=refresh_token
        )
    elif grant_type == "client_credentials":
        credentials = _basic_credentials(request) or (client_id, client_secret)
        if not credentials[0] or not credentials[1]:
            return _oauth_problem(
                OAuthError(
                    "invalid_client",
                    "client credentials are needed",
                    status=401,
                    description_fr="les identifiants du client sont nécessaires",
                )
            )
        await gateway.limiter.check("login", address, detail="too many authentication attempts")
        result = await auth_service.client_credentials_grant(
            session,
            gateway.identity,
            client_id=credentials[0],
            client_secret=credentials[1],
            scope=scope,
        )
    else:
        return _oauth_problem(
            OAuthError(
                "unsupported_grant_type",
                f"grant_type {grant_type!r} is not supported",
                description_fr=f"grant_type {grant_type!r} n'est pas pris en charge",
            )
        )
    if isinstance(result, OAuthError):
        return _oauth_problem(result)  # returned, not raised: a family revocation must commit
    return JSONResponse(result.model_dump(exclude_none=True), headers=_NO_STORE)


@router.post("/v1/auth/revoke", status_code=200, dependencies=[Public])
async def revoke_token(
    session: SessionDep, token: Annotated[str, Form(max_length=200)]
) -> dict[str, str]:
    """RFC 7009: sign out by revoking a refresh token (and its rotation family)."""
    await auth_service.revoke(session, token=token)
    return {"status": "revoked"}


@well_known.get("/.well-known/jwks.json", responses={200: {"model": Jwks}})
async def jwks(gateway: GatewayDep) -> JSONResponse:
    """Public keys verifying the platform's access tokens (cache for a few minutes)."""
    return JSONResponse(
        await gateway.keyring.jwks(), headers={"Cache-Control": "public, max-age=300"}
    )


@well_known.get(
    "/.well-known/oauth-authorization-server",
    response_model=AuthorizationServerMetadata,
    response_model_exclude_unset=True,
)
async def authorization_server_metadata(gateway: GatewayDep) -> dict[str, Any]:
    """RFC 8414 metadata: the same document as OpenID Connect discovery."""
    return oauth.metadata(gateway.settings)


#: Activation order (a handful of keys, held in memory by the keyring).
SIGNING_KEYS = Keyset(
    "gateway.signing-keys", field_key("activates_at", datetime), field_key("kid", str)
)


@keys_router.get("", response_model=Page[SigningKeyPublic])
async def list_signing_keys(
    _admin: AdminDep,
    gateway: GatewayDep,
    limit: PageLimit = DEFAULT_PAGE_SIZE,
    cursor: PageCursor = None,
) -> Page[SigningKeyPublic]:
    """Every signing key with its publication, activation and expiry dates, by activation."""
    rows, next_cursor = SIGNING_KEYS.slice(
        await gateway.keyring.listing(), cursor=cursor, limit=limit
    )
    return Page[SigningKeyPublic](
        data=[SigningKeyPublic.model_validate(k, from_attributes=True) for k in rows],
        next_cursor=next_cursor,
    )


@keys_router.post("", status_code=201, response_model=SigningKeyPublic)
async def rotate_signing_key(_admin: AdminDep, gateway: GatewayDep) -> SigningKeyPublic:
    """Rotate: a new key is published now and signs after the publication lead."""
    return SigningKeyPublic.model_validate(await gateway.keyring.rotate(), from_attributes=True)
