"""The structures' applications, moved to their stage: submitted, accepted, with the first
audit planned, or evaluated (the file waits for the committee)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from cap_standalone.demo import network
from cap_standalone.demo.client import DemoError, describe, poll, problem_code
from cap_standalone.demo.network import Structure
from cap_standalone.demo.run import DemoRun
from cap_standalone.demo.steps import evaluation


async def submit_application(demo: DemoRun, index: int, structure: Structure) -> None:
    """Submit the structure's application, then move it to its stage."""
    spec = structure.application
    assert spec is not None
    organisation_id = demo.org_ids[index]
    existing = [
        a
        for a in await demo.api.pages(demo.admin, "/v1/applications")
        if a["organisation_id"] == organisation_id and a["scheme"] == spec.scheme
    ]
    if existing:
        application = existing[0]
    else:
        # The structure's member_admin applies when the demo has one, else the federation.
        applicant = demo.actors["member_admin"] if index == 0 else demo.admin
        body = {
            "organisation_id": organisation_id,
            "scheme": spec.scheme,
            "certification_body_id": network.BODY_ID,
            "motivation": spec.motivation,
        }

        async def submitted() -> dict[str, Any] | None:
            # Eligible once the diagnostic's completion reached the labelling service.
            response = await demo.api.call(
                applicant, "POST", "/v1/applications", json=body, expect=(201, 404, 422)
            )
            if response.status_code == 201:
                return dict(response.json())
            if response.status_code == 422 and problem_code(response) != "not-eligible":
                raise DemoError(f"applying for {structure.name}: {describe(response)}")
            return None

        application = await poll(
            f"the labelling service to find {structure.name} eligible",
            submitted,
            timeout=demo.timeout,
        )
        demo.created["applications"] += 1
    if spec.stage != "submitted" and application["status"] == "submitted":
        application = await demo.api.json(
            demo.actors["committee"],
            "POST",
            f"/v1/applications/{application['id']}/transitions",
            json={"step": "accept"},
        )
    if spec.stage == "planned" and application["status"] == "accepted":
        audit_id = await _plan_first_audit(demo, organisation_id, structure)
        demo.links["audit_id"] = audit_id
    if spec.stage == "evaluated" and application["status"] == "accepted":
        start, end = evaluation.on_site_dates(demo)
        await _plan_first_audit(demo, organisation_id, structure, start=start, end=end)
        await evaluation.evaluate_first_audit(demo, organisation_id, structure)


async def _plan_first_audit(
    demo: DemoRun,
    organisation_id: str,
    structure: Structure,
    *,
    start: str | None = None,
    end: str | None = None,
) -> str:
    """Accept the first audit for the body and plan it with the demo auditor as lead (in 24
    days, or on the days given); its id."""

    async def requested() -> dict[str, Any] | None:
        audits = await demo.api.pages(
            demo.admin, "/v1/audits", params={"organisation_id": organisation_id}
        )
        return next(iter(audits), None)

    audit = await poll(
        f"the audit service to request the first audit of {structure.name}",
        requested,
        timeout=demo.timeout,
    )
    url = f"/v1/audits/{audit['id']}"
    if audit["status"] == "requested":
        audit = await demo.api.json(
            demo.admin, "POST", f"{url}/transitions", json={"step": "accept"}
        )
    if audit["status"] == "accepted":
        first_day = demo.today + timedelta(days=24)
        await demo.api.as_read(
            demo.admin,
            "PUT",
            f"{url}/plan",
            read=url,
            json={
                "start_date": start or first_day.isoformat(),
                "end_date": end or (first_day + timedelta(days=1)).isoformat(),
                "plan": (
                    "Jour 1 : réunion d'ouverture, revue documentaire (processus accueil, "
                    "accompagnement, relations entreprises), entretiens avec la direction "
                    "et les CIP.\nJour 2 : visite d'agence, entretiens avec des salariés en "
                    "parcours et des clients, réunion de clôture."
                ),
                "team": [
                    {
                        "auditor_id": demo.auditor_id,
                        "role": "lead",
                        "declaration": (
                            "Je déclare n'avoir ni conseillé ni audité cette structure au "
                            "cours des deux dernières années."
                        ),
                    }
                ],
            },
        )
    return str(audit["id"])
