"""Authorization dependencies every route declares: default deny, roles and scopes per route.

A route is reachable only if its dependencies include an :class:`Allow` (who may call it) or
:func:`public` (anyone, on purpose). :func:`assert_access_declared` refuses to build an app with a
route that declares neither, so forgetting it is a start-up error, not an open door.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from fastapi.dependencies.models import Dependant
from fastapi.openapi.models import OAuth2 as OAuth2Model
from fastapi.openapi.models import (
    OAuthFlowAuthorizationCode,
    OAuthFlowClientCredentials,
    OAuthFlowPassword,
    OAuthFlows,
)
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.security import OAuth2PasswordBearer

from cap_shared.problems import Forbidden, ProblemError
from cap_shared.security.principal import Principal, Role, Scope
from cap_shared.security.tokens import InvalidToken, TokenVerifier

logger = logging.getLogger(__name__)

#: ``request.state`` key set by :func:`public`: the route is open on purpose, its data is not
#: scoped to the caller's organisations (``cap_shared.db.rowsecurity``).
PUBLIC_ROUTE = "cap_public_route"
#: Where clients get tokens (the gateway); declared so every OpenAPI document shows the scheme.
TOKEN_URL = "/v1/auth/token"
#: Where people sign in to an app (authorization code + PKCE, the gateway's French page).
AUTHORIZATION_URL = "/v1/auth/authorize"
#: The OpenAPI security scheme every protected operation names.
SECURITY_SCHEME = "oauth2"
#: Scopes a person's sign-in asks for (OpenID Connect).
PERSON_SCOPES = {
    "openid": "Sign in (OpenID Connect: an id_token and the userinfo endpoint)",
    "profile": "The person's name",
    "email": "The person's e-mail address",
}


class _PlatformBearer(OAuth2PasswordBearer):
    """The bearer token of a request, with every way to get one declared in OpenAPI: the
    authorization code + PKCE (apps signing people in), client credentials (certification
    bodies' systems) and the password grant (development and scripts only)."""

    def __init__(self) -> None:
        super().__init__(tokenUrl=TOKEN_URL, scheme_name=SECURITY_SCHEME, auto_error=False)
        system_scopes = {s.value: f"Certification-body system: {s.value}" for s in Scope}
        self.model = OAuth2Model(
            flows=OAuthFlows(
                authorizationCode=OAuthFlowAuthorizationCode(
                    authorizationUrl=AUTHORIZATION_URL,
                    tokenUrl=TOKEN_URL,
                    refreshUrl=TOKEN_URL,
                    scopes=PERSON_SCOPES,
                ),
                clientCredentials=OAuthFlowClientCredentials(
                    tokenUrl=TOKEN_URL, scopes=system_scopes
                ),
                password=OAuthFlowPassword(
                    tokenUrl=TOKEN_URL,
                    refreshUrl=TOKEN_URL,
                    scopes={},
                    # OpenAPI allows extensions on a flow object.
                    **{"x-cap-environments": ["development", "test"]},
                ),
            ),
            description=(
                "Send `Authorization: Bearer <access_token>`. People sign in to apps with the "
                "authorization code flow and PKCE (S256); certification bodies' systems use "
                "client credentials; the password grant serves development and scripts and is "
                "refused in production."
            ),
        )


_bearer = _PlatformBearer()


class InvalidCredentials(ProblemError):
    """No bearer token, or one that is not valid here."""

    status, code, title = 401, "unauthorized", "Authentication required"
    title_fr = "Authentification requise"

    def __init__(
        self, detail: str, *, detail_fr: str | None = None, error: str | None = "invalid_token"
    ) -> None:
        challenge = "Bearer" if error is None else f'Bearer error="{error}"'
        super().__init__(detail, detail_fr=detail_fr, headers={"WWW-Authenticate": challenge})


def verifier_of(request: Request) -> TokenVerifier:
    """The token verifier of the app serving this request."""
    verifier: TokenVerifier = request.app.state.runtime.verifier
    return verifier


async def authenticate(request: Request, token: str | None) -> Principal:
    """The principal of the request's bearer token, cached on the request; 401 otherwise."""
    cached = getattr(request.state, "principal", None)
    if isinstance(cached, Principal):
        return cached
    if not token:
        raise InvalidCredentials(
            "a bearer token is required",
            detail_fr="un jeton d'accès (Bearer) est requis",
            error=None,
        )
    try:
        principal = await verifier_of(request).verify(token)
    except InvalidToken as exc:
        logger.info("rejected token: %s", exc)
        raise InvalidCredentials(
            "the access token is invalid or expired",
            detail_fr="le jeton d'accès est invalide ou expiré",
        ) from exc
    request.state.principal = principal
    return principal


class Allow:
    """Dependency admitting callers holding one of ``roles`` (and every ``scope`` for systems).

    Returns the principal, so routes take it as a parameter:
    ``principal: Annotated[Principal, Depends(Allow(Role.ADMIN))]``.
    """

    def __init__(self, *roles: Role, scopes: Iterable[str] = ()) -> None:
        if not roles:
            msg = "Allow() needs at least one role; use public() for open routes"
            raise ValueError(msg)
        self.roles = frozenset(roles)
        self.scopes = frozenset(scopes)

    async def __call__(
        self, request: Request, token: Annotated[str | None, Depends(_bearer)]
    ) -> Principal:
        """The caller, if signed in with one of the roles (and scopes); 401 or 403 otherwise."""
        principal = await authenticate(request, token)
        if not principal.has_role(*self.roles):
            raise Forbidden(
                "your role does not allow this operation",
                detail_fr="votre rôle ne permet pas cette opération",
            )
        if principal.kind == "client" and not self.scopes <= principal.scopes:
            missing = ", ".join(sorted(self.scopes - principal.scopes))
            raise Forbidden(
                f"this client lacks the scope(s): {missing}",
                detail_fr=f"il manque à ce client le ou les scopes : {missing}",
            )
        return principal

    def __repr__(self) -> str:
        return f"Allow({', '.join(sorted(self.roles))})"


class SignedIn(Allow):
    """Any valid token, whatever its roles (the caller's own profile)."""

    def __init__(self) -> None:
        super().__init__(*Role)

    async def __call__(
        self, request: Request, token: Annotated[str | None, Depends(_bearer)]
    ) -> Principal:
        """The caller, whoever they are; 401 without a valid token."""
        return await authenticate(request, token)

    def __repr__(self) -> str:
        return "SignedIn()"


async def public(request: Request) -> None:
    """Marks a route open to anyone, on purpose (health, JWKS, login, public registry)."""
    setattr(request.state, PUBLIC_ROUTE, True)


Public = Depends(public)


def api_routes(app: FastAPI) -> Iterator[Any]:
    """Every API route of ``app`` as served (included routers flattened, their dependencies
    merged): objects with ``path``, ``methods``, ``name`` and ``dependant``."""
    for context in iter_route_contexts(app.routes):
        if isinstance(context.original_route, APIRoute):
            yield context


def route_policy(route: Any) -> frozenset[Role] | str | None:
    """``"public"``, the roles an :class:`Allow` admits, or None when the route declares nothing."""

    def walk(dependant: Dependant) -> Any:
        for sub in dependant.dependencies:
            if isinstance(sub.call, Allow):
                return sub.call.roles
            if sub.call is public:
                return "public"
            found = walk(sub)
            if found is not None:
                return found
        return None

    policy: frozenset[Role] | str | None = walk(route.dependant)
    return policy


def assert_access_declared(app: FastAPI) -> None:
    """Refuse an app with a route that declares no access policy (default deny)."""
    undeclared = [
        f"{sorted(route.methods)} {route.path}"
        for route in api_routes(app)
        if route_policy(route) is None
    ]
    if undeclared:
        msg = f"routes without an access policy (add Allow(...) or Public): {undeclared}"
        raise RuntimeError(msg)
