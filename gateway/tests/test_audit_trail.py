"""The gateway's regulated records in its audit trail: accounts, roles, invitations accepted, API
clients and organisations, each change with who, on whose behalf, before and after; read,
filtered and verified through /v1/ops/gateway/audit-log."""

from __future__ import annotations

import httpx

from cap_shared.testing.auth import create_user, register_organisation


async def log(client: httpx.AsyncClient, admin: dict[str, str], **params: str) -> list[dict]:
    response = await client.get("/v1/ops/gateway/audit-log", params=params, headers=admin)
    assert response.status_code == 200, response.text
    return response.json()["data"]


async def me(client: httpx.AsyncClient, headers: dict[str, str]) -> dict:
    response = await client.get("/v1/me", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_accounts_roles_invitations_and_organisations_are_recorded(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    admin_id = (await me(client, admin))["id"]
    organisation_id = await register_organisation(client, admin, n=1, region="52")
    boss = await create_user(client, admin, role="member_admin", organisation_id=organisation_id)
    boss_id = (await me(client, boss))["id"]

    renamed = await client.patch(f"/v1/users/{boss_id}", json={"name": "Camille"}, headers=admin)
    assert renamed.status_code == 200, renamed.text
    for status in ("disabled", "active"):
        changed = await client.patch(f"/v1/users/{boss_id}", json={"status": status}, headers=admin)
        assert changed.status_code == 200, changed.text
    granted = await client.post(
        f"/v1/users/{boss_id}/memberships",
        json={"role": "facilitator", "region": "52"},
        headers=admin,
    )
    assert granted.status_code == 201, granted.text
    [facilitator] = [m for m in granted.json()["memberships"] if m["role"] == "facilitator"]
    revoked = await client.delete(
        f"/v1/users/{boss_id}/memberships/{facilitator['id']}", headers=admin
    )
    assert revoked.status_code == 204, revoked.text

    entries = list(reversed(await log(client, admin)))  # oldest first
    actions = [(e["action"], e["actor"]) for e in entries]
    assert actions == [
        ("account.created", "system"),  # the bootstrap administrator
        ("role.granted", "system"),
        ("organisation.registered", f"user:{admin_id}"),
        ("account.created", f"user:{boss_id}"),  # by accepting the invitation
        ("invitation.accepted", f"user:{boss_id}"),
        ("role.granted", f"user:{boss_id}"),
        ("account.renamed", f"user:{admin_id}"),
        ("account.suspended", f"user:{admin_id}"),
        ("account.reactivated", f"user:{admin_id}"),
        ("role.granted", f"user:{admin_id}"),
        ("role.revoked", f"user:{admin_id}"),
    ]
    by_action = {(e["action"], e["record_id"]): e for e in entries}
    registered = by_action["organisation.registered", organisation_id]
    assert registered["on_behalf_of"] == organisation_id
    assert registered["event_id"]
    assert registered["after"]["siret"]
    assert registered["request_id"]
    assert registered["client_id"]
    rename = by_action["account.renamed", boss_id]
    assert (rename["before"]["name"], rename["after"]["name"]) == (
        rename["before"]["email"].split("@")[0],
        "Camille",
    )
    suspension = by_action["account.suspended", boss_id]
    assert (suspension["before"]["status"], suspension["after"]["status"]) == (
        "active",
        "disabled",
    )
    revocation = by_action["role.revoked", facilitator["id"]]
    assert revocation["before"]["role"] == "facilitator"
    assert revocation["after"] is None
    assert all("password" not in str(e["after"]) for e in entries)
    assert [e["seq"] for e in entries] == list(range(1, len(entries) + 1))

    # filters
    assert [e["action"] for e in await log(client, admin, record_type="organisation")] == [
        "organisation.registered"
    ]
    of_boss = await log(client, admin, record_type="account", record_id=boss_id)
    assert [e["action"] for e in of_boss] == [
        "account.reactivated",
        "account.suspended",
        "account.renamed",
        "account.created",
    ]
    assert len(await log(client, admin, actor=f"user:{boss_id}")) == 3
    assert len(await log(client, admin, action="role.granted")) == 3
    later = entries[6]["occurred_at"]
    assert len(await log(client, admin, since=later)) == 5
    assert len(await log(client, admin, until=later)) == 6

    # pages: the platform's one list shape
    first = await client.get("/v1/ops/gateway/audit-log?limit=4", headers=admin)
    assert [e["seq"] for e in first.json()["data"]] == [11, 10, 9, 8]
    second = await client.get(
        "/v1/ops/gateway/audit-log",
        params={"limit": 4, "cursor": first.json()["next_cursor"]},
        headers=admin,
    )
    assert [e["seq"] for e in second.json()["data"]] == [7, 6, 5, 4]

    verification = await client.get("/v1/ops/gateway/audit-log/verification", headers=admin)
    assert verification.status_code == 200, verification.text
    assert verification.json()["intact"] is True
    assert verification.json()["entries"] == 11
    assert verification.json()["first_bad"] is None


async def test_api_clients_are_recorded_without_their_secret(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    created = await client.post(
        "/v1/api-clients",
        json={"name": "SGS", "certification_body_id": "sgs", "scopes": ["audits:read"]},
        headers=admin,
    )
    assert created.status_code == 201, created.text
    client_id = created.json()["id"]
    rotated = await client.post(f"/v1/api-clients/{client_id}/secret", headers=admin)
    assert rotated.status_code == 200, rotated.text
    assert (await client.delete(f"/v1/api-clients/{client_id}", headers=admin)).status_code == 204
    assert (await client.delete(f"/v1/api-clients/{client_id}", headers=admin)).status_code == 204

    entries = await log(client, admin, record_type="api_client")
    assert [e["action"] for e in entries] == [  # revoked twice: one change
        "api_client.revoked",
        "api_client.rotated",
        "api_client.created",
    ]
    assert {e["on_behalf_of"] for e in entries} == {"sgs"}
    assert entries[0]["before"]["revoked_at"] is None
    assert entries[0]["after"]["revoked_at"] is not None
    secrets = (created.json()["client_secret"], rotated.json()["client_secret"])
    assert not any(secret in str(e) for e in entries for secret in secrets)


async def test_a_refused_change_records_nothing(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    admin_id = (await me(client, admin))["id"]
    before = await log(client, admin)
    refused = await client.patch(
        f"/v1/users/{admin_id}", json={"status": "disabled"}, headers=admin
    )
    assert refused.status_code == 409
    unchanged = await client.patch(f"/v1/users/{admin_id}", json={}, headers=admin)
    assert unchanged.status_code == 200
    assert await log(client, admin) == before


async def test_only_administrators_read_the_audit_trail(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    organisation_id = await register_organisation(client, admin, n=2, region="52")
    boss = await create_user(client, admin, role="member_admin", organisation_id=organisation_id)
    for path in ("/v1/ops/gateway/audit-log", "/v1/ops/gateway/audit-log/verification"):
        assert (await client.get(path, headers=boss)).status_code == 403
        assert (await client.get(path)).status_code == 401
    bad = await client.get("/v1/ops/gateway/audit-log?since=2026-01-01T00:00:00", headers=admin)
    assert bad.status_code == 422  # an instant without its offset is refused, not a 500
    assert bad.headers["content-type"].startswith("application/problem+json")
