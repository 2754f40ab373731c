"""The structure's dashboard (its start page)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from cap_web.console import ApiDep, render
from cap_web.pages.structure.common import (
    OPEN_ACTIONS,
    RECOGNITION_STATUSES,
    STATUSES,
    Member,
    organisation_name,
    part,
    radar_of,
)

router = APIRouter()


@router.get("/tableau-de-bord", include_in_schema=False)
async def dashboard(request: Request, api: ApiDep, person: Member) -> Response:
    """Latest diagnostic with its radar, the plan's progress and next actions, labels, unread."""
    overview, overview_problem = await part(api.get("/v1/me/overview"))
    parts = (overview or {}).get("parts", {})
    diag_part = parts.get("diagnostic") or {}
    summary = diag_part.get("data") if diag_part.get("status") == "ok" else None
    latest = (summary or {}).get("latest_diagnostic")
    scores = radar = None
    scored = latest if latest and latest.get("overall_score") is not None else None
    if latest and scored is None:
        # a diagnostic under way: the score shown is the last completed one's
        earlier, _ = await part(
            api.get("/v1/diagnostics", organisation_id=person.organisation_id, limit=100)
        )
        done = [d for d in (earlier or {}).get("data", []) if d.get("overall_score") is not None]
        done.sort(key=lambda d: d.get("completed_at") or "", reverse=True)
        scored = done[0] if done else None
    if scored:
        scores, _ = await part(api.get(f"/v1/diagnostics/{scored['id']}/scores"))
        radar = radar_of(scores, "Scores par thème du dernier diagnostic terminé")
    plans, plans_problem = await part(api.get("/v1/progress-plans", limit=20))
    plan = None
    if plans and plans.get("data"):
        wanted = latest["id"] if latest else None
        plan = next((p for p in plans["data"] if p.get("diagnostic_id") == wanted), None)
        plan = plan or plans["data"][0]
    next_actions: list[dict[str, Any]] = []
    plan_total = plan_done = 0
    if plan:
        counts = plan.get("counts") or {}
        plan_total = sum(v for k, v in counts.items() if k != "cancelled")
        plan_done = counts.get("done", 0) + counts.get("verified", 0)
        open_actions = [a for a in plan.get("actions") or [] if a.get("status") in OPEN_ACTIONS]
        open_actions.sort(key=lambda a: (a.get("due_date") or "9999", a.get("title") or ""))
        next_actions = open_actions[:5]
    labels, labels_problem = await part(
        api.get("/v1/recognitions", organisation_id=person.organisation_id, limit=20)
    )
    unread, unread_problem = await part(api.get("/v1/notifications/unread-count"))
    return render(
        request,
        "structure/dashboard.html",
        {
            "overview_problem": overview_problem,
            "diag_unavailable": diag_part.get("status") == "unavailable",
            "latest": latest,
            "scored": scored,
            "summary": summary,
            "scores": scores,
            "radar": radar,
            "plan": plan,
            "plans_problem": plans_problem,
            "plan_total": plan_total,
            "plan_done": plan_done,
            "next_actions": next_actions,
            "labels": (labels or {}).get("data", []),
            "labels_problem": labels_problem,
            "unread": (unread or {}).get("unread"),
            "unread_problem": unread_problem,
            "statuses": STATUSES,
            "recognition_statuses": RECOGNITION_STATUSES,
            "organisation": organisation_name(person),
        },
    )
