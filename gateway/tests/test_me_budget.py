"""``GET /v1/me`` reads the caller's account in one statement (it was six to eight round trips
through an ORM session: the account, the scope lifted and restored around the memberships, the
organisations twice), with the same answer: every membership, oldest first, whatever its
organisation, and the organisations they name."""

from __future__ import annotations

from typing import Any

import httpx
import sqlalchemy as sa
from sqlmodel import col

from cap_gateway.models import Membership
from cap_shared.testing.auth import create_user, register_organisation, sign_in
from cap_shared.testing.statements import counting

PASSWORD = "correct horse battery staple"


async def test_me_is_one_statement_with_every_membership(
    admin: dict[str, str], gateway_factory: Any
) -> None:
    client, runtime = await gateway_factory()
    org_a = await register_organisation(client, admin, n=41, region="52")
    org_b = await register_organisation(client, admin, n=42, region="76")
    person = await create_user(
        client, admin, role="member", organisation_id=org_b, email="many@coorace.example"
    )
    me = (await client.get("/v1/me", headers=person)).json()
    for grant in ({"role": "member_admin", "organisation_id": org_a}, {"role": "committee"}):
        granted = await client.post(f"/v1/users/{me['id']}/memberships", json=grant, headers=admin)
        assert granted.status_code == 201, granted.text
    person = await sign_in(client, "many@coorace.example", PASSWORD)

    with counting(runtime.db.engine) as sent:
        answer = await client.get("/v1/me", headers=person)
    assert answer.status_code == 200, answer.text
    # The statement, and the row scope's set_config (with the BEGIN, in the same round trip,
    # outside a test's outer transaction): 7 statements before.
    assert len(sent) <= 2, str(sent)
    assert sum(s.upper().startswith("SELECT USER_ACCOUNT") for s in sent.sent) == 1, str(sent)

    body = answer.json()
    async with runtime.db.session() as session:
        rows = (
            await session.execute(
                sa.select(col(Membership.id))
                .where(col(Membership.user_id) == me["id"])
                .order_by(col(Membership.created_at), col(Membership.id))
            )
        ).all()
    assert [m["id"] for m in body["memberships"]] == [r.id for r in rows]
    assert [(m["role"], m["organisation_id"]) for m in body["memberships"]] == [
        ("member", org_b),
        ("member_admin", org_a),
        ("committee", None),
    ]
    assert body["memberships"][0]["organisation_name"] == "Structure 42"
    assert body["memberships"][0]["region_name"] is None  # a member's role names no region
    assert body["roles"] == ["committee", "member", "member_admin"]
    assert body["organisations"] == sorted(
        [
            {"id": org_a, "name": "Structure 41", "region": "52"},
            {"id": org_b, "name": "Structure 42", "region": "76"},
        ],
        key=lambda o: o["id"],
    )
    assert (body["kind"], body["email"]) == ("user", "many@coorace.example")


async def test_a_disabled_account_is_not_found(
    admin: dict[str, str], client: httpx.AsyncClient
) -> None:
    person = await create_user(client, admin, role="committee", email="gone@coorace.example")
    me = (await client.get("/v1/me", headers=person)).json()
    disabled = await client.patch(
        f"/v1/users/{me['id']}", json={"status": "disabled"}, headers=admin
    )
    assert disabled.status_code == 200, disabled.text
    answer = await client.get("/v1/me", headers=person)
    assert answer.status_code == 404
    assert answer.headers["content-type"] == "application/problem+json"
