"""Who the demo network is: its structures, the demo people's accounts, and the certification
body with its auditor in the audit service's registry."""

from __future__ import annotations

from datetime import timedelta

from cap_standalone.demo import network
from cap_standalone.demo.client import Actor
from cap_standalone.demo.network import PEOPLE, Person
from cap_standalone.demo.run import Account, DemoRun


async def organisations(demo: DemoRun) -> None:
    """The demo structures, registered by the federation (found by SIRET when they exist)."""
    existing = {o["siret"]: o["id"] for o in await demo.api.pages(demo.admin, "/v1/organisations")}
    for index, structure in enumerate(demo.structures):
        siret = network.siret(index)
        if siret not in existing:
            response = await demo.api.call(
                demo.admin,
                "POST",
                "/v1/organisations",
                json={
                    "siret": siret,
                    "name": structure.name,
                    "siae_types": list(structure.siae_types),
                    "region": network.REGION,
                    "delegation": network.DELEGATION,
                },
                expect=(201, 409),
            )
            if response.status_code == 409:  # registered meanwhile by someone else
                existing = {
                    o["siret"]: o["id"]
                    for o in await demo.api.pages(demo.admin, "/v1/organisations")
                }
            else:
                existing[siret] = response.json()["id"]
                demo.created["organisations"] += 1
        demo.org_ids[index] = existing[siret]
        demo.reporter.step(f"Structure: {structure.name}")
    demo.links["organisation_id"] = demo.org_ids[0]


def _scope(demo: DemoRun, person: Person) -> dict[str, str]:
    if person.scope == "organisation":
        return {"organisation_id": demo.org_ids[0]}
    if person.scope == "region":
        return {"region": network.REGION}
    if person.scope == "body":
        return {"certification_body_id": network.BODY_ID}
    return {}


async def accounts(demo: DemoRun) -> None:
    """The demo people: invited, accepted and signed in (found by e-mail when they exist)."""
    users = {u["email"]: u for u in await demo.api.pages(demo.admin, "/v1/users")}
    pending = await demo.api.pages(demo.admin, "/v1/invitations")
    for person in PEOPLE:
        scope = _scope(demo, person)
        user = users.get(person.email)
        created = user is None
        if user is None:
            # A run that stopped between invitation and acceptance left one pending.
            for invitation in pending:
                if invitation["email"] == person.email:
                    await demo.api.call(
                        demo.admin,
                        "DELETE",
                        f"/v1/invitations/{invitation['id']}",
                        expect=(204, 404),
                    )
            invited = await demo.api.json(
                demo.admin,
                "POST",
                "/v1/invitations",
                json={"email": person.email, "name": person.name, "role": person.role, **scope},
            )
            user = await demo.api.json(
                None,
                "POST",
                "/v1/invitations/accept",
                json={"token": invited["token"], "password": demo.password},
            )
            demo.created["accounts"] += 1
        elif not any(
            m["role"] == person.role and all(m.get(k) == v for k, v in scope.items())
            for m in user["memberships"]
        ):
            user = await demo.api.json(
                demo.admin,
                "POST",
                f"/v1/users/{user['id']}/memberships",
                json={"role": person.role, **scope},
            )
        assert user is not None
        demo.user_ids[person.key] = str(user["id"])
        actor = Actor(person.email, demo.password)
        await demo.api.sign_in(actor)
        demo.actors[person.key] = actor
        scope_label = {
            "organisation": demo.structures[0].name,
            "region": f"{network.REGION_NAME} ({network.REGION})",
            "body": network.BODY["name"],
        }.get(person.scope, "")
        demo.accounts.append(Account(person, str(scope_label), created))
        demo.reporter.step(f"Account: {person.name} ({person.role})")


async def certification_body(demo: DemoRun) -> None:
    """The certification body and the demo auditor in the audit service's registry."""
    bodies = await demo.api.pages(demo.admin, "/v1/certification-bodies")
    if not any(b["id"] == network.BODY_ID for b in bodies):
        await demo.api.call(
            demo.admin, "POST", "/v1/certification-bodies", json=network.BODY, expect=(201, 409)
        )
    auditors = await demo.api.pages(
        demo.admin, "/v1/auditors", params={"certification_body_id": network.BODY_ID}
    )
    user_id = demo.user_ids["auditor"]
    mine = [a for a in auditors if a["user_id"] == user_id]
    if mine:
        demo.auditor_id = str(mine[0]["id"])
    else:
        person = network.AUDITOR
        qualified = {
            "valid_from": (demo.today - timedelta(days=400)).isoformat(),
            "valid_until": (demo.today + timedelta(days=3 * 365)).isoformat(),
        }
        auditor = await demo.api.json(
            demo.admin,
            "POST",
            "/v1/auditors",
            json={
                "certification_body_id": network.BODY_ID,
                "name": person.name,
                "email": person.email,
                "user_id": user_id,
                "qualifications": [
                    {"scheme": "CAP_ISO9001", **qualified},
                    {"scheme": "CAP_RSE", **qualified},
                ],
                # The body's only auditor plans its audits: told of every request.
                "planner": True,
            },
        )
        demo.auditor_id = str(auditor["id"])
    demo.reporter.step(f"Certification body: {network.BODY['name']}")
