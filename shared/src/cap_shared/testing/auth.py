"""Test helpers for authentication: signing in through a gateway, and minting tokens directly.

:class:`TestIssuer` holds an Ed25519 key of its own and serves it as a JWKS, so a service can be
tested without a gateway, and so the JWT negative suite can forge exactly the token it needs.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Mapping
from typing import Any

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from cap_shared.clock import wall_timestamp
from cap_shared.security import ACCESS_TOKEN_TYPE, ALGORITHM, JwksKeySource

#: The bootstrap administrator of development settings.
DEV_ADMIN_EMAIL = "admin@coorace.example"
DEV_ADMIN_PASSWORD = "cap-admin-dev"
#: The issuer of a process with default settings (its public base URL).
ISSUER = "http://127.0.0.1:8000"


async def sign_in(
    client: httpx.AsyncClient, email: str = DEV_ADMIN_EMAIL, password: str = DEV_ADMIN_PASSWORD
) -> dict[str, str]:
    """``Authorization`` header of a person signed in through the gateway's token endpoint."""
    response = await client.post(
        "/v1/auth/token", data={"grant_type": "password", "username": email, "password": password}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def bearer(token: str) -> dict[str, str]:
    """An ``Authorization`` header."""
    return {"Authorization": f"Bearer {token}"}


class TestIssuer:
    """A token issuer for tests: its own key pair, its JWKS, and a token factory."""

    __test__ = False  # not a test class, despite its name

    def __init__(self, *, kid: str = "test-key", issuer: str = ISSUER) -> None:
        self.kid = kid
        self.issuer = issuer
        self.private = Ed25519PrivateKey.generate()
        jwk: dict[str, Any] = jwt.algorithms.OKPAlgorithm.to_jwk(
            self.private.public_key(), as_dict=True
        )
        jwk.update({"kid": kid, "alg": ALGORITHM, "use": "sig"})
        self.jwk = jwk

    async def jwks(self) -> dict[str, Any]:
        """The JWKS document publishing this issuer's key."""
        return {"keys": [self.jwk]}

    def key_source(self) -> JwksKeySource:
        """Keys to hand to a runtime (``build_runtime(keys=...)``)."""
        return JwksKeySource(self.jwks, min_refresh_interval=0.0)

    def token(
        self,
        *,
        roles: list[Mapping[str, str]] | None = None,
        audience: str | list[str] = "urn:cap:diagnostic",
        subject: str | None = None,
        kind: str = "user",
        scope: str = "",
        expires_in: int = 300,
        not_before_in: int = 0,
        headers: Mapping[str, Any] | None = None,
        claims: Mapping[str, Any] | None = None,
        drop: tuple[str, ...] = (),
    ) -> str:
        """A signed access token; every part can be overridden to forge a bad one."""
        now = int(wall_timestamp())
        body: dict[str, Any] = {
            "iss": self.issuer,
            "sub": subject or f"user:{uuid.uuid4()}",
            "aud": audience,
            "iat": now,
            "nbf": now + not_before_in,
            "exp": now + expires_in,
            "jti": uuid.uuid4().hex,
            "kind": kind,
            "client_id": "cap-web",
            "roles": [dict(r) for r in (roles or [])],
        }
        if scope:
            body["scope"] = scope
        body.update(claims or {})
        for name in drop:
            body.pop(name, None)
        header = {"kid": self.kid, "typ": ACCESS_TOKEN_TYPE, **(headers or {})}
        return jwt.encode(body, self.private, algorithm=ALGORITHM, headers=header)


async def create_user(
    client: httpx.AsyncClient,
    inviter: Mapping[str, str],
    *,
    role: str,
    email: str | None = None,
    password: str = "correct horse battery staple",
    **scope: str,
) -> dict[str, str]:
    """Invite a person through the gateway, accept, sign in: their ``Authorization`` header.

    ``scope``: ``organisation_id``, ``region`` or ``certification_body_id`` as the role needs.
    """
    email = email or f"{role}.{uuid.uuid4().hex[:10]}@coorace.example"
    invited = await client.post(
        "/v1/invitations",
        json={"email": email, "name": email.split("@")[0], "role": role, **scope},
        headers=dict(inviter),
    )
    assert invited.status_code == 201, invited.text
    accepted = await client.post(
        "/v1/invitations/accept", json={"token": invited.json()["token"], "password": password}
    )
    assert accepted.status_code == 201, accepted.text
    return await sign_in(client, email, password)


def role_known(preferences: Mapping[str, Any]) -> bool:
    """Whether ``GET /v1/preferences`` shows that the notifications service knows the person's
    role: until its directory event arrives, every e-mail default is ``off``; every role has one
    that is not, and the role's arrival changes the preferences (and their ETag)."""
    return any(choice["email"] != "off" for choice in preferences["events"].values())


async def known_to_notifications(
    client: httpx.AsyncClient, headers: Mapping[str, str], *, attempts: int = 300
) -> None:
    """Wait until the notifications service knows the person of ``headers`` and their role."""
    for _ in range(attempts):
        answer = await client.get("/v1/preferences", headers=dict(headers))
        if answer.status_code == 200 and role_known(answer.json()):
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the notifications service never learnt the person's role")


async def register_organisation(
    client: httpx.AsyncClient,
    admin: Mapping[str, str],
    *,
    n: int,
    region: str = "52",
    name: str | None = None,
) -> str:
    """Register a member structure through the gateway (SIRET number ``n``); its id."""
    from cap_shared.testing.siret import make_siret

    response = await client.post(
        "/v1/organisations",
        json={
            "siret": make_siret(n),
            "name": name or f"Structure {n}",
            "siae_types": ["ACI"],
            "region": region,
        },
        headers=dict(admin),
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])
