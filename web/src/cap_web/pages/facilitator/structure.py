"""``/animation/structures/{id}``: one structure for its facilitator (diagnostics, plan
progress, labels, position among its peers), and scheduling a CAP session for it."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from cap_web.api import Api, ApiProblem
from cap_web.console import ApiDep, redirect, render
from cap_web.pages.facilitator.common import (
    ACTION_STATUS_FR,
    CATEGORIES,
    KIND_FR,
    MATURITY_KIND_FR,
    MOST,
    RECOGNITION_STATUS_FR,
    SCHEME_FR,
    STATUS_FR,
    Facilitator,
    clean,
    derived_key,
    participants_form,
    participants_of,
)

router = APIRouter()


async def _position(api: Api, organisation_id: str) -> dict[str, Any]:
    """Where the structure stands among its peers; its problem, in French, when the API has
    none to give (the page shows it and the rest)."""
    try:
        body: dict[str, Any] = await api.get(
            "/v1/statistics/position", organisation_id=organisation_id
        )
    except ApiProblem as problem:
        if problem.status >= 500:
            raise
        return {"problem": problem}
    return body


async def _structure_context(api: Api, organisation_id: str) -> dict[str, Any]:
    organisation = await api.get(f"/v1/organisations/{organisation_id}")
    diagnostics, plans, recognitions, position = await asyncio.gather(
        api.pages("/v1/diagnostics", limit=200, most=200, organisation_id=organisation_id),
        api.pages("/v1/progress-plans", limit=200, most=MOST),
        api.pages("/v1/recognitions", limit=200, most=200, organisation_id=organisation_id),
        _position(api, organisation_id),
    )
    plan = next((p for p in plans if p["organisation_id"] == organisation_id), None)
    actions = sorted(
        (a for a in (plan or {}).get("actions", []) if a["status"] not in ("done", "verified")),
        key=lambda a: (not a.get("overdue"), a.get("due_date") or "9999"),
    )
    return {
        "organisation": organisation,
        "diagnostics": diagnostics,
        "plan": plan,
        "next_actions": actions[:8],
        "recognitions": recognitions,
        "position": position,
        "comparison_fr": {"overall": "Ensemble", **MATURITY_KIND_FR},
        "status_fr": STATUS_FR,
        "kind_fr": KIND_FR,
        "scheme_fr": SCHEME_FR,
        "recognition_status_fr": RECOGNITION_STATUS_FR,
        "action_status_fr": ACTION_STATUS_FR,
        "categories": CATEGORIES,
    }


@router.get("/animation/structures/{organisation_id}", include_in_schema=False)
async def structure(
    organisation_id: str, request: Request, api: ApiDep, person: Facilitator
) -> Response:
    """One structure for its facilitator: diagnostics, plan progress, labels; schedule a session."""
    context = await _structure_context(api, organisation_id)
    return render(
        request,
        "facilitator/structure.html",
        {
            **context,
            "form": {"facilitator": person.name},
            "participants": participants_form(None),
            "errors": {},
            "problem": None,
        },
    )


@router.post("/animation/structures/{organisation_id}/diagnostics", include_in_schema=False)
async def schedule(
    organisation_id: str, request: Request, api: ApiDep, _person: Facilitator
) -> Response:
    """Open a CAP session (accompanied diagnostic) for the structure and schedule it."""
    form = await request.form()
    values = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    key = values.get("idempotency_key") or str(uuid.uuid4())
    errors: dict[str, str] = {}
    session_date = values.get("session_date", "").strip()
    try:
        day = date.fromisoformat(session_date) if session_date else None
    except ValueError:
        day = None
    if day is None:
        errors["session_date"] = "Indiquez la date de la séance (jj/mm/aaaa)."
    facilitator = clean(values.get("facilitator"))
    if not facilitator:
        errors["facilitator"] = "Indiquez qui anime la séance."
    people, row_errors = participants_of(values)
    errors.update(row_errors)
    if not people and not row_errors:
        errors["participants"] = "Indiquez au moins un participant (nom ou fonction)."
    problem: ApiProblem | None = None
    if not errors and day is not None:
        body: dict[str, Any] = {
            "organisation_id": organisation_id,
            "kind": "cap_session",
            "session_date": day.isoformat(),
            "facilitator": facilitator,
            "participants": people,
        }
        title = clean(values.get("title"))
        if title:
            body["title"] = title
        try:
            created = await api.post("/v1/diagnostics", body, idempotency_key=key)
            diagnostic = created.body
            if "schedule" in diagnostic.get("allowed_actions", []):
                await api.post(
                    f"/v1/diagnostics/{diagnostic['id']}/transitions",
                    {"action": "schedule"},
                    idempotency_key=derived_key(key, "schedule"),
                )
            return redirect(
                f"/animation/diagnostics/{diagnostic['id']}?programme=1", request=request
            )
        except ApiProblem as exc:
            if exc.status in (403, 404):
                raise
            problem = exc
            errors.update(exc.field_messages())
    context = await _structure_context(api, organisation_id)
    return render(
        request,
        "facilitator/structure.html",
        {
            **context,
            "form": values,
            "participants": participants_form(values),
            "errors": errors,
            "problem": problem,
            # Refused by the form: the same operation still to do (a double click is one).
            # Refused by the API: that answer is kept under the key, so a new one.
            "idempotency_key": key if problem is None else str(uuid.uuid4()),
        },
        status_code=problem.status if problem and problem.status in (409, 422) else 422,
    )
