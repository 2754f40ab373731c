"""Tokens: password and refresh grants (rotation, reuse detection), client credentials, JWKS and
key rotation, Argon2id hashes (S6)."""

from __future__ import annotations

import time

import jwt
import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher

from cap_gateway.models import RefreshToken, User
from cap_shared.testing.auth import DEV_ADMIN_EMAIL, DEV_ADMIN_PASSWORD, bearer, create_user

PASSWORD_FORM = {
    "grant_type": "password",
    "username": DEV_ADMIN_EMAIL,
    "password": DEV_ADMIN_PASSWORD,
}


async def token(client, **form: str):
    return await client.post("/v1/auth/token", data=form)


class TestPasswordGrant:
    async def test_sign_in_returns_a_short_lived_signed_access_token_and_a_refresh_token(
        self, client
    ) -> None:
        response = await token(client, **PASSWORD_FORM)
        assert response.status_code == 200, response.text
        assert response.headers["cache-control"] == "no-store"
        body = response.json()
        assert body["token_type"] == "Bearer"
        assert body["expires_in"] == 900
        assert len(body["refresh_token"]) >= 40
        header = jwt.get_unverified_header(body["access_token"])
        assert header["alg"] == "EdDSA"
        assert header["typ"] == "at+jwt"
        jwks = (await client.get("/.well-known/jwks.json")).json()
        assert header["kid"] in {k["kid"] for k in jwks["keys"]}
        claims = jwt.decode(body["access_token"], options={"verify_signature": False})
        assert claims["iss"] == "http://127.0.0.1:8000"  # the public base URL (default)
        assert "urn:cap:diagnostic" in claims["aud"]
        assert "urn:cap:gateway" in claims["aud"]
        assert claims["exp"] - claims["iat"] == 900
        assert claims["roles"] == [{"role": "admin"}]
        me = await client.get("/v1/me", headers=bearer(body["access_token"]))
        assert me.status_code == 200
        assert me.json()["email"] == DEV_ADMIN_EMAIL
        assert me.json()["roles"] == ["admin"]

    @pytest.mark.parametrize(
        "form",
        [
            {**PASSWORD_FORM, "password": "wrong password"},
            {**PASSWORD_FORM, "username": "nobody@coorace.example"},
        ],
    )
    async def test_wrong_credentials_are_one_invalid_grant(self, client, form) -> None:
        response = await token(client, **form)
        assert response.status_code == 400
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["error"] == "invalid_grant"
        assert "refresh_token" not in response.text

    async def test_bad_requests_are_4xx_problems(self, client) -> None:
        assert (await token(client, grant_type="password")).json()["error"] == "invalid_request"
        unsupported = await token(client, grant_type="implicit")
        assert unsupported.status_code == 400
        assert unsupported.json()["error"] == "unsupported_grant_type"
        missing = await client.post("/v1/auth/token", data={})
        assert missing.status_code == 422

    async def test_a_disabled_account_cannot_sign_in_or_refresh(self, admin, client) -> None:
        headers = await create_user(client, admin, role="committee", email="c@coorace.example")
        signed = await token(
            client,
            grant_type="password",
            username="c@coorace.example",
            password="correct horse battery staple",
        )
        user_id = (await client.get("/v1/me", headers=headers)).json()["id"]
        disabled = await client.patch(
            f"/v1/users/{user_id}", json={"status": "disabled"}, headers=admin
        )
        assert disabled.status_code == 200
        again = await token(
            client,
            grant_type="password",
            username="c@coorace.example",
            password="correct horse battery staple",
        )
        assert again.status_code == 400
        refreshed = await token(
            client, grant_type="refresh_token", refresh_token=signed.json()["refresh_token"]
        )
        assert refreshed.status_code == 400


class TestRefresh:
    async def test_refresh_rotates_and_reuse_revokes_the_whole_family(
        self, gateway_factory
    ) -> None:
        client, runtime = await gateway_factory()
        first = (await token(client, **PASSWORD_FORM)).json()["refresh_token"]
        rotated = await token(client, grant_type="refresh_token", refresh_token=first)
        assert rotated.status_code == 200
        second = rotated.json()["refresh_token"]
        assert second != first
        assert rotated.json()["access_token"]

        # The first token is presented again (stolen and replayed): refused, and the family
        # revoked, including the legitimate newer token.
        replay = await token(client, grant_type="refresh_token", refresh_token=first)
        assert replay.status_code == 400
        assert replay.json()["error"] == "invalid_grant"
        after = await token(client, grant_type="refresh_token", refresh_token=second)
        assert after.status_code == 400

        # The revocation was committed although the request failed.
        async with runtime.db.session() as session:
            rows = (await session.execute(sa.select(RefreshToken))).scalars().all()
        assert len(rows) == 2
        assert all(r.revoked_at is not None for r in rows)

    async def test_sign_out_revokes_the_refresh_token(self, client) -> None:
        refresh = (await token(client, **PASSWORD_FORM)).json()["refresh_token"]
        revoked = await client.post("/v1/auth/revoke", data={"token": refresh})
        assert revoked.status_code == 200
        assert (
            await token(client, grant_type="refresh_token", refresh_token=refresh)
        ).status_code == 400
        # Unknown tokens are accepted silently (RFC 7009 §2.2).
        assert (await client.post("/v1/auth/revoke", data={"token": "x" * 43})).status_code == 200

    async def test_refresh_picks_up_new_roles(self, admin, client) -> None:
        user = await create_user(client, admin, role="committee", email="r@coorace.example")
        me = (await client.get("/v1/me", headers=user)).json()
        refresh = (
            await token(
                client,
                grant_type="password",
                username="r@coorace.example",
                password="correct horse battery staple",
            )
        ).json()["refresh_token"]
        granted = await client.post(
            f"/v1/users/{me['id']}/memberships",
            json={"role": "facilitator", "region": "84"},
            headers=admin,
        )
        assert granted.status_code == 201
        fresh = (await token(client, grant_type="refresh_token", refresh_token=refresh)).json()
        claims = jwt.decode(fresh["access_token"], options={"verify_signature": False})
        assert {"role": "facilitator", "region": "84"} in claims["roles"]


class TestClientCredentials:
    async def create_client(self, client, admin, scopes=("audits:read", "audits:write")):
        created = await client.post(
            "/v1/api-clients",
            json={"name": "SGS TUV", "certification_body_id": "sgs-tuv", "scopes": list(scopes)},
            headers=admin,
        )
        assert created.status_code == 201, created.text
        return created.json()

    async def test_a_certification_body_system_gets_a_token_limited_to_its_scopes(
        self, admin, client
    ) -> None:
        registered = await self.create_client(client, admin)
        assert "secret_hash" not in registered
        listed = (await client.get("/v1/api-clients", headers=admin)).json()["data"]
        assert all("client_secret" not in c for c in listed)

        basic = await client.post(
            "/v1/auth/token",
            data={"grant_type": "client_credentials", "scope": "audits:read"},
            auth=(registered["client_id"], registered["client_secret"]),
        )
        assert basic.status_code == 200, basic.text
        assert "refresh_token" not in basic.json()
        claims = jwt.decode(basic.json()["access_token"], options={"verify_signature": False})
        assert claims["kind"] == "client"
        assert claims["scope"] == "audits:read"
        assert sorted(claims["aud"]) == ["urn:cap:audit", "urn:cap:gateway"]
        assert claims["roles"] == [
            {"role": "certification_body", "certification_body_id": "sgs-tuv"}
        ]
        me = (await client.get("/v1/me", headers=bearer(basic.json()["access_token"]))).json()
        assert me["kind"] == "client"
        assert me["certification_body_id"] == "sgs-tuv"

        posted = await token(
            client,
            grant_type="client_credentials",
            client_id=registered["client_id"],
            client_secret=registered["client_secret"],
        )
        assert posted.json()["scope"] == "audits:read audits:write"

    async def test_wrong_secret_unknown_scope_and_revoked_clients_are_refused(
        self, admin, client
    ) -> None:
        registered = await self.create_client(client, admin, scopes=("audits:read",))
        cid, secret = registered["client_id"], registered["client_secret"]
        wrong = await token(
            client, grant_type="client_credentials", client_id=cid, client_secret="x" * 43
        )
        assert wrong.status_code == 401
        assert wrong.json()["error"] == "invalid_client"
        widened = await token(
            client,
            grant_type="client_credentials",
            client_id=cid,
            client_secret=secret,
            scope="certifications:write",
        )
        assert widened.status_code == 400
        assert widened.json()["error"] == "invalid_scope"

        rotated = await client.post(f"/v1/api-clients/{registered['id']}/secret", headers=admin)
        assert rotated.status_code == 200
        old = await token(
            client, grant_type="client_credentials", client_id=cid, client_secret=secret
        )
        assert old.status_code == 401
        new_secret = rotated.json()["client_secret"]
        ok = await token(
            client, grant_type="client_credentials", client_id=cid, client_secret=new_secret
        )
        assert ok.status_code == 200

        assert (
            await client.delete(f"/v1/api-clients/{registered['id']}", headers=admin)
        ).status_code == 204
        revoked = await token(
            client, grant_type="client_credentials", client_id=cid, client_secret=new_secret
        )
        assert revoked.status_code == 401


class TestKeyRotation:
    async def test_rotation_publishes_first_signs_later_and_keeps_old_tokens_valid(
        self, gateway_factory
    ) -> None:
        client, _runtime = await gateway_factory(key_publish_lead_s=3600)
        admin = bearer((await token(client, **PASSWORD_FORM)).json()["access_token"])
        old_kid = jwt.get_unverified_header(admin["Authorization"][7:])["kid"]

        rotated = await client.post("/v1/ops/gateway/signing-keys", headers=admin)
        assert rotated.status_code == 201, rotated.text
        new_kid = rotated.json()["kid"]
        jwks = {k["kid"] for k in (await client.get("/.well-known/jwks.json")).json()["keys"]}
        assert jwks == {old_kid, new_kid}  # published before it signs
        assert all(
            "d" not in k for k in (await client.get("/.well-known/jwks.json")).json()["keys"]
        )

        # Within the publication lead the old key still signs; old tokens keep working.
        fresh = (await token(client, **PASSWORD_FORM)).json()["access_token"]
        assert jwt.get_unverified_header(fresh)["kid"] == old_kid
        assert (await client.get("/v1/me", headers=admin)).status_code == 200

        # Once the new key is active (another replica would see it at its next reload), new
        # tokens carry the new kid and tokens of the old key remain valid until they expire.
        client2, _ = await gateway_factory(key_publish_lead_s=0)
        rotated_now = await client2.post("/v1/ops/gateway/signing-keys", headers=admin)
        newest = rotated_now.json()["kid"]
        signed = (await token(client2, **PASSWORD_FORM)).json()["access_token"]
        assert jwt.get_unverified_header(signed)["kid"] == newest
        assert (await client2.get("/v1/me", headers=admin)).status_code == 200
        keys = (await client2.get("/v1/ops/gateway/signing-keys", headers=admin)).json()["data"]
        old = next(k for k in keys if k["kid"] == old_kid)
        assert old["expires_at"] is not None  # it leaves the JWKS after its tokens expire
        assert "private_key" not in old


class TestPasswordHashes:
    async def test_hashes_are_argon2id_with_owasp_parameters_and_fast_enough(
        self, gateway_factory
    ) -> None:
        _client, runtime = await gateway_factory()
        started = time.perf_counter()
        stored = await runtime.passwords.hash("correct horse battery staple")
        elapsed = time.perf_counter() - started
        assert stored.startswith("$argon2id$v=19$")
        params = dict(p.split("=") for p in stored.split("$")[3].split(","))
        assert int(params["m"]) >= 19456
        assert int(params["t"]) >= 2
        assert int(params["p"]) == 1
        assert elapsed < 1.0
        async with runtime.db.session() as session:
            admin = (await session.execute(sa.select(User))).scalars().first()
        assert admin is not None
        assert admin.password_hash.startswith("$argon2id$")

    async def test_weaker_hashes_are_upgraded_at_the_next_sign_in(self, gateway_factory) -> None:
        client, runtime = await gateway_factory()
        weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(DEV_ADMIN_PASSWORD)
        async with runtime.db.session() as session:
            await session.execute(
                sa.update(User).where(User.email == DEV_ADMIN_EMAIL).values(password_hash=weak)
            )
        assert (await token(client, **PASSWORD_FORM)).status_code == 200
        async with runtime.db.session() as session:
            stored = (
                await session.execute(
                    sa.select(User.password_hash).where(User.email == DEV_ADMIN_EMAIL)
                )
            ).scalar_one()
        assert stored != weak
        assert "m=19456,t=2,p=1" in stored
