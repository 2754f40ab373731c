"""Each structure's CAP diagnostic: a one-day session run by the region's facilitator, rated,
completed, and its progress plan issued."""

from __future__ import annotations

import uuid
from typing import Any

from cap_standalone.demo import network
from cap_standalone.demo.client import DemoError, describe, poll, problem_code
from cap_standalone.demo.network import Structure
from cap_standalone.demo.run import DemoRun

#: Diagnostic statuses from which the CAP diagnostic counts as done.
_COMPLETED = ("rated", "plan_issued", "follow_up", "closed")
#: The way through a CAP session diagnostic, by status.
_NEXT_STEP = {
    "draft": "schedule",
    "scheduled": "start",
    "in_session": "complete",
    "rated": "issue_plan",
}


async def cap_criteria(demo: DemoRun) -> list[dict[str, Any]]:
    """Every criterion of the latest CAP referential, theme by theme."""
    referentials = await demo.api.pages(demo.admin, "/v1/referentials")
    versions = [r["version"] for r in referentials if r["code"] == "CAP"]
    if not versions:
        raise DemoError("the platform has no CAP referential")
    referential = await demo.api.json(
        demo.admin, "GET", f"/v1/referentials/CAP/versions/{max(versions)}"
    )
    return [c for theme in referential["themes"] for c in theme["criteria"]]


async def run_diagnostic(
    demo: DemoRun, index: int, structure: Structure, criteria: list[dict[str, Any]]
) -> None:
    """The structure's one-day CAP session, run by the region's facilitator, to its plan."""
    facilitator = demo.actors["facilitator"]
    organisation_id = demo.org_ids[index]
    listed = await demo.api.json(
        facilitator,
        "GET",
        "/v1/diagnostics",
        params={"organisation_id": organisation_id, "limit": 200},
    )
    cap = [d for d in listed["data"] if d["referential"].get("code") == "CAP"]
    done = [d for d in cap if d["status"] in _COMPLETED]
    started = [d for d in cap if d["kind"] == "cap_session" and d["status"] in _NEXT_STEP]
    if done:
        diagnostic = done[0]
    elif started:  # left half done by an earlier run: carry on
        diagnostic = started[0]
    else:
        diagnostic = await _open(demo, index, structure, organisation_id)
    url = f"/v1/diagnostics/{diagnostic['id']}"
    while diagnostic["status"] not in ("plan_issued", "follow_up", "closed"):
        action = _NEXT_STEP.get(diagnostic["status"], "")
        if action not in diagnostic["allowed_actions"]:
            raise DemoError(
                f"the diagnostic of {structure.name} is {diagnostic['status']}; "
                f"the demo cannot move it ({diagnostic['allowed_actions']})"
            )
        if action == "complete":
            await _rate(demo, url, index, structure, criteria)
        diagnostic = await demo.api.json(
            facilitator, "POST", f"{url}/transitions", json={"action": action}
        )
        if action == "complete":
            demo.created["diagnostics"] += 1
    if index == 0:
        demo.links["diagnostic_id"] = str(diagnostic["id"])


async def _open(
    demo: DemoRun, index: int, structure: Structure, organisation_id: str
) -> dict[str, Any]:
    facilitator = demo.actors["facilitator"]
    body = {
        "organisation_id": organisation_id,
        "kind": "cap_session",
        "title": f"Diagnostic CAP — {structure.name} ({structure.town})",
        "session_date": network.session_date(index, demo.today).isoformat(),
        "facilitator": f"{network.FACILITATOR.name} ({network.DELEGATION})",
        "participants": network.participants(structure),
    }

    async def opened() -> dict[str, Any] | None:
        # The structure reaches the diagnostic service by event: 422 until it has.
        response = await demo.api.call(
            facilitator, "POST", "/v1/diagnostics", json=body, expect=(201, 422)
        )
        if response.status_code == 201:
            return dict(response.json())
        if problem_code(response) != "unknown-organisation":
            raise DemoError(f"opening the diagnostic of {structure.name}: {describe(response)}")
        return None

    return await poll(
        f"the diagnostic service to know {structure.name}", opened, timeout=demo.timeout
    )


async def _rate(
    demo: DemoRun, url: str, index: int, structure: Structure, criteria: list[dict[str, Any]]
) -> None:
    facilitator = demo.actors["facilitator"]
    levels = network.levels(structure, index, criteria)
    answers = []
    for criterion in criteria:
        level = levels[criterion["urn"]]
        top = max(int(s["value"]) for s in criterion.get("scale") or [{"value": 4}])
        answer: dict[str, Any] = {
            "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{url}#{criterion['urn']}")),
            "criterion": criterion["urn"],
            "level": level,
        }
        note = network.comment(str(criterion.get("code")), level, top)
        if note:
            answer["comment"] = note
        answers.append(answer)
    await demo.api.call(facilitator, "PUT", f"{url}/answers", json={"answers": answers})
    await demo.api.call(
        facilitator,
        "PUT",
        f"{url}/key-figures",
        json=network.key_figures(structure, index, demo.today),
    )
