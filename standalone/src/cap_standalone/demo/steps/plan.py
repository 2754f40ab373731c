"""The first structure's progress plan, started: owners given, actions moved along."""

from __future__ import annotations

from cap_standalone.demo.client import Actor
from cap_standalone.demo.run import DemoRun


async def start_plan(demo: DemoRun) -> None:
    """Claire (member_admin) and Karim (member) start the plan; Sophie verifies an action."""
    member_admin, member = demo.actors["member_admin"], demo.actors["member"]
    plans = await demo.api.pages(member_admin, "/v1/progress-plans")
    plan = next((p for p in plans if p["organisation_id"] == demo.org_ids[0]), None)
    if plan is None:
        return
    demo.links["plan_id"] = str(plan["id"])
    actions = plan["actions"]
    if not actions or any(a["status"] != "proposed" for a in actions):
        return  # already started (by an earlier run, or by someone trying the demo)
    steps: list[tuple[str, list[tuple[Actor, str, str]]]] = [
        (
            "Claire Martin",
            [
                (member_admin, "plan", "Inscrit au plan de l'année."),
                (member_admin, "start", ""),
                (member_admin, "complete", "Fait : voir le compte rendu du CA."),
                (demo.actors["facilitator"], "verify", "Vérifié lors de la visite de suivi."),
            ],
        ),
        (
            "Karim Benali",
            [
                (member_admin, "plan", ""),
                (member, "start", "Premiers entretiens menés avec l'équipe."),
            ],
        ),
        ("Claire Martin", [(member_admin, "plan", "")]),
    ]
    for action, (owner, moves) in zip(actions, steps, strict=False):
        url = f"/v1/actions/{action['id']}"
        await demo.api.as_read(member_admin, "PATCH", url, read=url, json={"owner": owner})
        for actor, step, note in moves:
            await demo.api.as_read(
                actor,
                "POST",
                f"{url}/transitions",
                read=url,
                json={"step": step, **({"note": note} if note else {})},
            )
