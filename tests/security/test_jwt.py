"""S5 — the JWT negative suite (RFC 8725): every forged or misused token is refused with 401, by
a service verifying tokens itself and by the gateway, and none is ever accepted."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization

from cap_diagnostic.main import SERVICE as DIAGNOSTIC
from cap_shared.clock import wall_timestamp
from cap_shared.testing.auth import DEV_ADMIN_EMAIL, DEV_ADMIN_PASSWORD, TestIssuer, bearer
from cap_standalone.testing import Topology

ADMIN = [{"role": "admin"}]
AUDIENCE = "urn:cap:diagnostic"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unsigned(header: dict, claims: dict, signature: bytes = b"") -> str:
    head = b64(json.dumps(header).encode())
    body = b64(json.dumps(claims).encode())
    return f"{head}.{body}.{b64(signature)}"


def hs256_with(key: bytes, header: dict, claims: dict) -> str:
    """HMAC-signed token using ``key`` (the RS/Ed public key confusion attack)."""
    head = b64(json.dumps({**header, "alg": "HS256"}).encode())
    body = b64(json.dumps(claims).encode())
    mac = hmac.new(key, f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{b64(mac)}"


def valid_claims(issuer: TestIssuer, **overrides: object) -> dict:
    return (
        jwt.decode(
            issuer.token(roles=ADMIN, audience=AUDIENCE),
            options={"verify_signature": False},
        )
        | overrides
    )


@pytest.fixture
async def service(tmp_path: Path) -> AsyncIterator[tuple[httpx.AsyncClient, TestIssuer]]:
    """The diagnostic service on its own, trusting one test issuer's keys."""
    issuer = TestIssuer()
    settings = DIAGNOSTIC.settings()
    settings.database_url = f"sqlite+aiosqlite:///{tmp_path / 'diagnostic.db'}"
    runtime = DIAGNOSTIC.build_runtime(settings, keys=issuer.key_source())
    await runtime.migrate()
    app = DIAGNOSTIC.create_app(runtime, manage_runtime=False)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://diagnostic"
    ) as client:
        yield client, issuer
    await runtime.close()


def forged_tokens(issuer: TestIssuer) -> dict[str, str]:
    """Every token the verifier must refuse, by name."""
    other = TestIssuer(kid="test-key")  # same kid, another key: a forged signature
    header = {"kid": issuer.kid, "typ": "at+jwt"}
    public_pem = issuer.private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    raw_public = base64.urlsafe_b64decode(issuer.jwk["x"] + "==")
    good = issuer.token(roles=ADMIN, audience=AUDIENCE)
    head, body, sig = good.split(".")
    tampered_body = b64(
        json.dumps(valid_claims(issuer, roles=[{"role": "admin"}, {"role": "committee"}])).encode()
    )
    return {
        "alg none": unsigned({**header, "alg": "none"}, valid_claims(issuer)),
        "alg none, uppercase": unsigned({**header, "alg": "NONE"}, valid_claims(issuer)),
        "HS256 with the public key (PEM)": hs256_with(public_pem, header, valid_claims(issuer)),
        "HS256 with the public key (raw)": hs256_with(raw_public, header, valid_claims(issuer)),
        "signed by another key": other.token(roles=ADMIN, audience=AUDIENCE),
        "payload changed after signing": f"{head}.{tampered_body}.{sig}",
        "signature stripped": f"{head}.{body}.",
        "wrong issuer": issuer.token(
            roles=ADMIN, audience=AUDIENCE, claims={"iss": "https://evil.example"}
        ),
        "no issuer": issuer.token(roles=ADMIN, audience=AUDIENCE, drop=("iss",)),
        "wrong audience": issuer.token(roles=ADMIN, audience="urn:cap:somewhere"),
        "no audience": issuer.token(roles=ADMIN, audience=AUDIENCE, drop=("aud",)),
        "token for another service": issuer.token(roles=ADMIN, audience="urn:cap:audit"),
        "expired": issuer.token(roles=ADMIN, audience=AUDIENCE, expires_in=-120),
        "no expiry": issuer.token(roles=ADMIN, audience=AUDIENCE, drop=("exp",)),
        "not yet valid": issuer.token(roles=ADMIN, audience=AUDIENCE, not_before_in=600),
        "no subject": issuer.token(roles=ADMIN, audience=AUDIENCE, drop=("sub",)),
        "refresh token type": issuer.token(
            roles=ADMIN, audience=AUDIENCE, headers={"typ": "rt+jwt"}
        ),
        "plain JWT type": issuer.token(roles=ADMIN, audience=AUDIENCE, headers={"typ": "JWT"}),
        "unknown kid": issuer.token(roles=ADMIN, audience=AUDIENCE, headers={"kid": "nobody"}),
        "kid injection": issuer.token(
            roles=ADMIN, audience=AUDIENCE, headers={"kid": "../../etc/passwd' OR 1=1"}
        ),
        "jku header": issuer.token(
            roles=ADMIN,
            audience=AUDIENCE,
            headers={"kid": "nobody", "jku": "http://169.254.169.254/"},
        ),
        "opaque refresh token": "Jm1T0t3Wc6b3y0x8c2Yk2mR2Q0s5v8u1n4p7q0r3s6t",
        "garbage": "not.a.jwt",
        "unknown role": issuer.token(roles=[{"role": "superuser"}], audience=AUDIENCE),
    }


async def test_a_service_refuses_every_forged_or_misused_token(service) -> None:
    client, issuer = service
    good = issuer.token(roles=ADMIN, audience=AUDIENCE)
    assert (await client.get("/ops/outbox", headers=bearer(good))).status_code == 200
    accepted = []
    for name, token in forged_tokens(issuer).items():
        response = await client.get("/ops/outbox", headers=bearer(token))
        if response.status_code != 401:
            accepted.append((name, response.status_code))
        else:
            assert response.headers["www-authenticate"].startswith("Bearer")
            assert response.headers["content-type"] == "application/problem+json"
    assert accepted == []
    # Valid token, wrong role: authenticated but forbidden.
    member = issuer.token(roles=[{"role": "member", "organisation_id": "x"}], audience=AUDIENCE)
    assert (await client.get("/ops/outbox", headers=bearer(member))).status_code == 403


async def test_the_gateway_and_services_refuse_tokens_not_meant_for_them(
    standalone: Topology,
) -> None:
    client = standalone.client
    jwks = (await client.get("/.well-known/jwks.json")).json()
    kid = jwks["keys"][0]["kid"]
    raw_public = base64.urlsafe_b64decode(jwks["keys"][0]["x"] + "==")
    claims = jwt.decode(standalone.admin["Authorization"][7:], options={"verify_signature": False})
    header = {"kid": kid, "typ": "at+jwt"}
    signed_in = await client.post(
        "/v1/auth/token",
        data={
            "grant_type": "password",
            "username": DEV_ADMIN_EMAIL,
            "password": DEV_ADMIN_PASSWORD,
        },
    )
    refresh = signed_in.json()["refresh_token"]
    now = int(wall_timestamp())
    forged = {
        "alg none": unsigned({**header, "alg": "none"}, claims),
        "HS256 with the published public key": hs256_with(raw_public, header, claims),
        "foreign issuer's key": TestIssuer(kid=kid).token(roles=ADMIN, audience=claims["aud"]),
        "refresh token as access token": refresh,
        "expired copy": unsigned(
            header | {"alg": "EdDSA"}, claims | {"exp": now - 3600}, b"x" * 64
        ),
    }
    for name, token in forged.items():
        for path in ("/v1/me", "/v1/ops/diagnostic/outbox"):
            response = await client.get(path, headers=bearer(token))
            assert response.status_code == 401, (name, path, response.status_code)

    # A certification body's token is for the gateway and the audit service only: the
    # diagnostic service refuses it although the gateway accepted and forwarded it.
    created = await client.post(
        "/v1/api-clients",
        json={"name": "SGS", "certification_body_id": "sgs", "scopes": ["audits:read"]},
        headers=standalone.admin,
    )
    system = await client.post(
        "/v1/auth/token",
        data={"grant_type": "client_credentials", "scope": "audits:read"},
        auth=(created.json()["client_id"], created.json()["client_secret"]),
    )
    system_token = bearer(system.json()["access_token"])
    assert (await client.get("/v1/me", headers=system_token)).status_code == 200
    refused = await client.get("/v1/ops/diagnostic/outbox", headers=system_token)
    assert refused.status_code == 401
    forbidden = await client.get("/v1/ops/audit/outbox", headers=system_token)
    assert forbidden.status_code == 403  # right audience, but not an admin
