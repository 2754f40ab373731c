"""Accounts: invitations and who may send them, users and memberships per tenant, the caller."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from cap_gateway.models import tables
from cap_shared.testing.auth import create_user, register_organisation, sign_in

PASSWORD = "correct horse battery staple"


async def organisation(client, admin, n: int, region: str = "52") -> str:
    return await register_organisation(client, admin, n=n, region=region)


async def invite(client, inviter, **body):
    return await client.post(
        "/v1/invitations", json={"name": "Camille Martin", **body}, headers=inviter
    )


class TestInvitations:
    async def test_a_member_admin_invites_members_of_their_own_organisation_only(
        self, admin, client
    ) -> None:
        org_a = await organisation(client, admin, 1)
        org_b = await organisation(client, admin, 2)
        boss = await create_user(client, admin, role="member_admin", organisation_id=org_a)

        ok = await invite(
            client, boss, email="m@coorace.example", role="member", organisation_id=org_a
        )
        assert ok.status_code == 201, ok.text
        assert ok.json()["invitation_url"].endswith(ok.json()["token"])
        other_org = await invite(
            client, boss, email="x@coorace.example", role="member", organisation_id=org_b
        )
        assert other_org.status_code == 403
        higher = await invite(
            client, boss, email="y@coorace.example", role="facilitator", region="52"
        )
        assert higher.status_code == 403
        admin_role = await invite(client, boss, email="z@coorace.example", role="admin")
        assert admin_role.status_code == 403

        pending = (await client.get("/v1/invitations", headers=boss)).json()["data"]
        assert [i["email"] for i in pending] == ["m@coorace.example"]
        assert all("token" not in i for i in pending)

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"role": "member"}, "body"),  # organisation_id missing
            ({"role": "facilitator", "region": "52", "organisation_id": "x"}, "body"),
            ({"role": "pope"}, "body.role"),
            ({"role": "committee", "status": "active"}, "body.status"),
            ({"role": "committee", "email": "not-an-email"}, "body.email"),
        ],
    )
    async def test_invalid_invitations_are_422_naming_the_field(
        self, admin, client, body, field
    ) -> None:
        response = await invite(client, admin, **{"email": "v@coorace.example", **body})
        assert response.status_code == 422
        assert any(e["field"].startswith(field) for e in response.json()["errors"])

    async def test_an_invitation_is_accepted_once_and_can_be_revoked(self, admin, client) -> None:
        sent = (
            await invite(client, admin, email="f@coorace.example", role="facilitator", region="76")
        ).json()
        no_password = await client.post("/v1/invitations/accept", json={"token": sent["token"]})
        assert no_password.status_code == 422
        short = await client.post(
            "/v1/invitations/accept", json={"token": sent["token"], "password": "short"}
        )
        assert short.status_code == 422
        accepted = await client.post(
            "/v1/invitations/accept", json={"token": sent["token"], "password": PASSWORD}
        )
        assert accepted.status_code == 201
        assert accepted.json()["memberships"][0]["region_name"] == "Occitanie"
        assert "password_hash" not in accepted.text
        again = await client.post(
            "/v1/invitations/accept", json={"token": sent["token"], "password": PASSWORD}
        )
        assert again.status_code == 400

        revoked = (await invite(client, admin, email="g@coorace.example", role="committee")).json()
        assert (
            await client.delete(f"/v1/invitations/{revoked['id']}", headers=admin)
        ).status_code == 204
        late = await client.post(
            "/v1/invitations/accept", json={"token": revoked["token"], "password": PASSWORD}
        )
        assert late.status_code == 400

    async def test_an_existing_account_gains_the_new_role(self, admin, client) -> None:
        org = await organisation(client, admin, 3)
        both = await create_user(client, admin, role="committee", email="both@coorace.example")
        sent = (
            await invite(
                client, admin, email="BOTH@coorace.example", role="member", organisation_id=org
            )
        ).json()
        joined = await client.post(
            "/v1/invitations/accept", json={"token": sent["token"]}, headers=both
        )
        assert joined.status_code == 201
        headers = await sign_in(client, "both@coorace.example", PASSWORD)
        me = (await client.get("/v1/me", headers=headers)).json()
        assert me["roles"] == ["committee", "member"]
        assert me["organisations"] == [{"id": org, "name": "Structure 3", "region": "52"}]


class TestJoiningSomeoneElsesAccount:
    """Issue 15 item 2: B's member_admin invites the e-mail of a person of A."""

    async def test_only_the_owner_accepts_and_b_learns_nothing_of_a(self, admin, client) -> None:
        org_a = await organisation(client, admin, 11)
        org_b = await organisation(client, admin, 12)
        alice = await create_user(
            client, admin, role="member", organisation_id=org_a, email="alice@coorace.example"
        )
        alice_id = (await client.get("/v1/me", headers=alice)).json()["id"]
        boss_b = await create_user(client, admin, role="member_admin", organisation_id=org_b)
        sent = await invite(
            client, boss_b, email="Alice@coorace.example", role="member", organisation_id=org_b
        )
        assert sent.status_code == 201
        token = sent.json()["token"]

        # The link alone is not enough: anonymously, with any password or none.
        for body in ({"token": token, "password": "any password at all"}, {"token": token}):
            refused = await client.post("/v1/invitations/accept", json=body)
            assert refused.status_code == 401, refused.text
            assert refused.headers["content-type"] == "application/problem+json"
            assert refused.json()["type"].endswith("/account-owner-required")
            assert refused.headers["www-authenticate"].startswith("Bearer")
            assert org_a not in refused.text
            assert "last_login_at" not in refused.text
        # Nor is the inviter's own sign-in.
        as_inviter = await client.post(
            "/v1/invitations/accept", json={"token": token}, headers=boss_b
        )
        assert as_inviter.status_code == 403
        assert as_inviter.json()["type"].endswith("/invitation-for-another-account")
        bad_token = await client.post(
            "/v1/invitations/accept", json={"token": token}, headers={"Authorization": "Bearer x"}
        )
        assert bad_token.status_code == 401
        assert (await client.get(f"/v1/users/{alice_id}", headers=boss_b)).status_code == 404

        # Alice, signed in as herself, accepts: she now belongs to both.
        joined = await client.post("/v1/invitations/accept", json={"token": token}, headers=alice)
        assert joined.status_code == 201, joined.text
        assert {m["organisation_id"] for m in joined.json()["memberships"]} == {org_a, org_b}

        # B's admin sees her as a member of B, and nothing of A: not the membership, not the
        # structure's name, not when she last signed in.
        seen = await client.get(f"/v1/users/{alice_id}", headers=boss_b)
        assert seen.status_code == 200
        assert [m["organisation_id"] for m in seen.json()["memberships"]] == [org_b]
        assert seen.json()["last_login_at"] is None
        assert org_a not in seen.text
        assert "Structure 11" not in seen.text
        listed = (await client.get("/v1/users", headers=boss_b)).json()["data"]
        (entry,) = [u for u in listed if u["id"] == alice_id]
        assert entry == seen.json()
        # An admin, and Alice herself, still see everything.
        full = (await client.get(f"/v1/users/{alice_id}", headers=admin)).json()
        assert {m["organisation_id"] for m in full["memberships"]} == {org_a, org_b}
        assert full["last_login_at"] is not None
        mine = (await client.get("/v1/me", headers=alice)).json()
        assert {m["organisation_id"] for m in mine["memberships"]} == {org_a, org_b}

    async def test_the_owner_may_prove_the_password_instead_and_guesses_are_throttled(
        self, gateway_factory
    ) -> None:
        client, runtime = await gateway_factory(rate_limit_login="3/minute")
        admin = await sign_in(client)
        org = await organisation(client, admin, 13)
        await create_user(client, admin, role="committee", email="bob@coorace.example")
        token = (
            await invite(
                client, admin, email="bob@coorace.example", role="member", organisation_id=org
            )
        ).json()["token"]
        await runtime.limiter.reset()  # the sign-ins above count against the same limit
        guesses = [
            (
                await client.post(
                    "/v1/invitations/accept", json={"token": token, "password": f"guess number {n}"}
                )
            ).status_code
            for n in range(4)
        ]
        assert guesses == [401, 401, 401, 429]
        await runtime.limiter.reset()
        proved = await client.post(
            "/v1/invitations/accept", json={"token": token, "password": PASSWORD}
        )
        assert proved.status_code == 201, proved.text
        assert sorted(m["role"] for m in proved.json()["memberships"]) == ["committee", "member"]


class TestUsers:
    async def test_member_admins_see_and_manage_only_their_organisation(
        self, admin, client
    ) -> None:
        org_a = await organisation(client, admin, 4)
        org_b = await organisation(client, admin, 5)
        boss_a = await create_user(client, admin, role="member_admin", organisation_id=org_a)
        await create_user(
            client, boss_a, role="member", organisation_id=org_a, email="a1@coorace.example"
        )
        boss_b = await create_user(client, admin, role="member_admin", organisation_id=org_b)
        await create_user(
            client, boss_b, role="member", organisation_id=org_b, email="b1@coorace.example"
        )

        seen_a = (await client.get("/v1/users", headers=boss_a)).json()["data"]
        assert "a1@coorace.example" in {u["email"] for u in seen_a}
        assert "b1@coorace.example" not in {u["email"] for u in seen_a}
        b1 = next(
            u
            for u in (await client.get("/v1/users", headers=admin)).json()["data"]
            if u["email"] == "b1@coorace.example"
        )
        assert (await client.get(f"/v1/users/{b1['id']}", headers=boss_a)).status_code == 404
        cross = await client.get("/v1/users", params={"organisation_id": org_b}, headers=boss_a)
        assert cross.status_code == 404
        removal = await client.delete(
            f"/v1/users/{b1['id']}/memberships/{b1['memberships'][0]['id']}", headers=boss_a
        )
        assert removal.status_code == 404
        removed = await client.delete(
            f"/v1/users/{b1['id']}/memberships/{b1['memberships'][0]['id']}", headers=boss_b
        )
        assert removed.status_code == 204
        assert (
            await client.patch(f"/v1/users/{b1['id']}", json={"name": "X"}, headers=boss_b)
        ).status_code == 403

    async def test_a_member_admin_announces_the_persons_whole_state(
        self, admin, gateway_factory
    ) -> None:
        """The services' directory gets every membership of the person, those of organisations
        the member_admin does not administer included (read past the row-level scope)."""
        client, runtime = await gateway_factory()
        org_a = await organisation(client, admin, 7)
        org_b = await organisation(client, admin, 8)
        await create_user(
            client, admin, role="member", organisation_id=org_a, email="two@coorace.example"
        )
        boss_b = await create_user(client, admin, role="member_admin", organisation_id=org_b)
        users = (await client.get("/v1/users", headers=admin)).json()["data"]
        two = next(u for u in users if u["email"] == "two@coorace.example")
        added = await client.post(
            f"/v1/users/{two['id']}/memberships",
            json={"role": "member", "organisation_id": org_b},
            headers=admin,
        )
        assert added.status_code == 201, added.text
        in_b = next(m for m in added.json()["memberships"] if m["organisation_id"] == org_b)
        removed = await client.delete(
            f"/v1/users/{two['id']}/memberships/{in_b['id']}", headers=boss_b
        )
        assert removed.status_code == 204
        async with runtime.db.session() as session:
            payloads = [
                json.loads(row.payload)
                for row in await session.execute(
                    sa.select(tables.outbox)
                    .where(tables.outbox.c.event_type == "identity.user.changed.v1")
                    .order_by(tables.outbox.c.seq)
                )
            ]
        last = [p for p in payloads if p["subject"] == two["id"]][-1]
        assert [(m["role"], m["organisation_id"]) for m in last["data"]["memberships"]] == [
            ("member", org_a)
        ]

    async def test_me_lists_memberships_granted_since_the_token(self, admin, client) -> None:
        """A person's own account is theirs whatever the organisation: /v1/me is not narrowed
        to the organisations their (older) access token names."""
        org_a = await organisation(client, admin, 9)
        org_b = await organisation(client, admin, 10)
        headers = await create_user(
            client, admin, role="member", organisation_id=org_a, email="new@coorace.example"
        )
        me = (await client.get("/v1/me", headers=headers)).json()
        granted = await client.post(
            f"/v1/users/{me['id']}/memberships",
            json={"role": "member", "organisation_id": org_b},
            headers=admin,
        )
        assert granted.status_code == 201, granted.text
        again = (await client.get("/v1/me", headers=headers)).json()
        assert sorted(m["organisation_id"] for m in again["memberships"]) == sorted([org_a, org_b])

    async def test_the_last_member_admin_cannot_be_removed(self, admin, client) -> None:
        org = await organisation(client, admin, 6)
        boss = await create_user(client, admin, role="member_admin", organisation_id=org)
        me = (await client.get("/v1/me", headers=boss)).json()
        response = await client.delete(
            f"/v1/users/{me['id']}/memberships/{me['memberships'][0]['id']}", headers=boss
        )
        assert response.status_code == 409
        assert response.json()["type"].endswith("/last-member-admin")

    async def test_password_change_needs_the_current_one_and_signs_out_elsewhere(
        self, admin, client
    ) -> None:
        await create_user(client, admin, role="committee", email="p@coorace.example")
        signed = (
            await client.post(
                "/v1/auth/token",
                data={
                    "grant_type": "password",
                    "username": "p@coorace.example",
                    "password": PASSWORD,
                },
            )
        ).json()
        headers = {"Authorization": f"Bearer {signed['access_token']}"}
        wrong = await client.post(
            "/v1/me/password",
            json={"current_password": "nope", "new_password": "another long passphrase"},
            headers=headers,
        )
        assert wrong.status_code == 400
        changed = await client.post(
            "/v1/me/password",
            json={"current_password": PASSWORD, "new_password": "another long passphrase"},
            headers=headers,
        )
        assert changed.status_code == 204
        refresh = await client.post(
            "/v1/auth/token",
            data={"grant_type": "refresh_token", "refresh_token": signed["refresh_token"]},
        )
        assert refresh.status_code == 400
        await sign_in(client, "p@coorace.example", "another long passphrase")

    async def test_organisations_are_visible_to_their_members_and_facilitators_only(
        self, admin, client
    ) -> None:
        org_a = await organisation(client, admin, 7, region="52")
        org_b = await organisation(client, admin, 8, region="11")
        member = await create_user(client, admin, role="member", organisation_id=org_a)
        facilitator = await create_user(client, admin, role="facilitator", region="11")
        assert (await client.get(f"/v1/organisations/{org_b}", headers=member)).status_code == 404
        assert (await client.get(f"/v1/organisations/{org_a}", headers=member)).status_code == 200
        listed = (await client.get("/v1/organisations", headers=facilitator)).json()["data"]
        assert [o["id"] for o in listed] == [org_b]
        assert (
            await client.get(f"/v1/organisations/{org_a}", headers=facilitator)
        ).status_code == 404


class TestConditionalRequests:
    async def test_a_user_is_read_with_an_etag_and_changed_on_the_copy_read(
        self, admin, client
    ) -> None:
        org = await organisation(client, admin, 31)
        await create_user(
            client, admin, role="member", organisation_id=org, email="cond@coorace.example"
        )
        (user,) = [
            u
            for u in (await client.get("/v1/users", headers=admin)).json()["data"]
            if u["email"] == "cond@coorace.example"
        ]
        url = f"/v1/users/{user['id']}"
        read = await client.get(url, headers=admin)
        tag = read.headers["etag"]
        assert read.headers["cache-control"] == "private, no-cache"
        unchanged = await client.get(url, headers={**admin, "If-None-Match": tag})
        assert unchanged.status_code == 304
        assert unchanged.content == b""
        renamed = await client.patch(
            url, json={"name": "Nouveau nom"}, headers={**admin, "If-Match": tag}
        )
        assert renamed.status_code == 200, renamed.text
        new = renamed.headers["etag"]
        assert new == (await client.get(url, headers=admin)).headers["etag"]
        stale = await client.patch(url, json={"name": "Autre"}, headers={**admin, "If-Match": tag})
        assert stale.status_code == 412
        assert stale.json()["current_etag"] == new
        assert (await client.get(url, headers=admin)).json()["name"] == "Nouveau nom"
        changed = await client.get(url, headers={**admin, "If-None-Match": tag})
        assert changed.status_code == 200
        again = await client.patch(url, json={"name": "Autre"}, headers={**admin, "If-Match": new})
        assert again.status_code == 200
