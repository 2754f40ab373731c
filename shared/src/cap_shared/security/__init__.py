"""Authentication and authorization shared by the gateway and every service."""

from cap_shared.security.deps import (
    Allow,
    InvalidCredentials,
    Public,
    SignedIn,
    api_routes,
    assert_access_declared,
    authenticate,
    public,
    route_policy,
)
from cap_shared.security.principal import Grant, Principal, Role, Scope
from cap_shared.security.tokens import (
    ACCESS_TOKEN_TYPE,
    ALGORITHM,
    InvalidToken,
    JwksKeySource,
    TokenVerifier,
    http_jwks_fetcher,
)

__all__ = [
    "ACCESS_TOKEN_TYPE",
    "ALGORITHM",
    "Allow",
    "Grant",
    "InvalidCredentials",
    "InvalidToken",
    "JwksKeySource",
    "Principal",
    "Public",
    "Role",
    "Scope",
    "SignedIn",
    "TokenVerifier",
    "api_routes",
    "assert_access_declared",
    "authenticate",
    "http_jwks_fetcher",
    "public",
    "route_policy",
]
