"""A CAP RSE file waiting for the labelling committee: the structure's initial evaluation run by
the demo auditor (every criterion of the CAP RSE referential rated on site), its report
submitted and the audit closed, so that the committee has a file to decide with the level the
rule computes from the auditor's evaluation (``/comite`` in the console)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from cap_standalone.demo.client import poll
from cap_standalone.demo.network import Structure
from cap_standalone.demo.run import DemoRun

#: The CSR criteria of CAP RSE (the others are the CAP ones it reuses).
RSE = "urn:coorace:referentiel:cap-rse:critere"
#: What the auditor notes on a few criteria of the evaluation.
COMMENTS = {
    f"{RSE}:r8": "DUERP revu cette année avec le CSE ; plan de prévention suivi.",
    f"{RSE}:r13": "Bilan carbone réalisé, pas encore partagé avec les salariés en parcours.",
}


def rating(urn: str) -> int:
    """The auditor's maturity for a criterion: the CSR practices at 3 of 4, the CAP ones at 2
    — the rule then gives Confirmé (points below Exemplaire's band), a level worth a decision."""
    return 3 if urn.startswith(RSE) else 2


async def evaluate_first_audit(demo: DemoRun, organisation_id: str, structure: Structure) -> None:
    """The planned initial evaluation run by the demo auditor to its closed report, then wait
    until the committee's file reads the auditor's evaluation."""
    auditor = demo.actors["auditor"]
    audits = await demo.api.pages(
        demo.admin, "/v1/audits", params={"organisation_id": organisation_id}
    )
    audit = next(a for a in audits if a["type"] == "initial")
    url = f"/v1/audits/{audit['id']}"
    if audit["status"] == "planned":
        audit = await demo.api.json(auditor, "POST", f"{url}/transitions", json={"step": "start"})
    if audit["status"] == "in_progress":
        referential = await demo.api.json(auditor, "GET", "/v1/referentials/CAP_RSE/versions/1")
        levels = [
            {"criterion_urn": c["urn"], "level": rating(c["urn"])}
            | ({"comment": COMMENTS[c["urn"]]} if c["urn"] in COMMENTS else {})
            for theme in referential["themes"]
            for c in theme["criteria"]
        ]
        await demo.api.call(auditor, "PUT", f"{url}/maturity", json={"levels": levels})
        audit = await demo.api.json(
            auditor,
            "POST",
            f"{url}/transitions",
            json={
                "step": "submit_report",
                "summary": (
                    "Évaluation initiale CAP RSE : démarche structurée, gouvernance partagée, "
                    "pratiques environnementales à consolider ; aucune non-conformité."
                ),
            },
        )
    if audit["status"] == "report_submitted":
        await demo.api.json(auditor, "POST", f"{url}/transitions", json={"step": "close"})

    async def waiting() -> dict[str, Any] | None:
        # The report and the auditor's scores reach the labelling service by events.
        files = await demo.api.pages(
            demo.actors["committee"], "/v1/decisions", params={"scheme": "CAP_RSE"}
        )
        mine = [f for f in files if f["audit_id"] == audit["id"]]
        if mine and mine[0]["status"] != "pending":
            return mine[0]  # decided in an earlier run (or in a test)
        if mine and mine[0]["computed_level"]:
            return mine[0]
        return None

    file = await poll(
        f"the committee's file on {structure.name} to read the auditor's evaluation",
        waiting,
        timeout=demo.timeout,
    )
    demo.links["decision_id"] = str(file["id"])


def on_site_dates(demo: DemoRun) -> tuple[str, str]:
    """The evaluation's days: yesterday and today (it is over when the demo is loaded)."""
    return (demo.today - timedelta(days=1)).isoformat(), demo.today.isoformat()
