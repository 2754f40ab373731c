"""The structure's diagnostics: the list, a new one, one diagnostic's themes and its completion."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from cap_web.api import Api, ApiProblem
from cap_web.console import ApiDep, redirect, render
from cap_web.pages.structure.common import (
    EDITABLE,
    KINDS,
    MEMBERS,
    STATUSES,
    DiagnosticId,
    Member,
    clean,
    criterion_theme,
    organisation_name,
    read_answers,
    read_diagnostic,
    read_referential,
    slug,
    theme_progress,
)
from cap_web.sessions import Person

router = APIRouter()


async def _list_page(
    request: Request,
    api: Api,
    person: Person,
    *,
    problem: ApiProblem | None = None,
    form: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    items = await api.pages(
        "/v1/diagnostics", organisation_id=person.organisation_id, limit=100, most=500
    )
    items.sort(key=lambda d: d.get("updated_at") or "", reverse=True)
    # Only the published versions: the API opens no diagnostic on one still under review.
    referentials = [
        r for r in await api.pages("/v1/referentials", limit=100) if r.get("published_at")
    ]
    return render(
        request,
        "structure/diagnostics.html",
        {
            "diagnostics": items,
            "referentials": referentials,
            "statuses": STATUSES,
            "kinds": KINDS,
            "problem": problem,
            "errors": problem.field_messages() if problem else {},
            "form": form or {},
            "organisation": organisation_name(person),
        },
        status_code=status_code,
    )


@router.get("/diagnostics", include_in_schema=False)
async def diagnostics_list(request: Request, api: ApiDep, person: Member) -> Response:
    """The structure's diagnostics and the form to start one."""
    return await _list_page(request, api, person)


@router.post("/diagnostics", include_in_schema=False)
async def diagnostic_start(request: Request, api: ApiDep, person: Member) -> Response:
    """Start a diagnostic (``POST /v1/diagnostics``), then open it."""
    form = await request.form()
    values = {k: str(form.get(k) or "") for k in ("referential", "kind", "session_date")}
    values["facilitator"] = clean(str(form.get("facilitator") or ""))
    code, _, version = values["referential"].partition("@")
    body: dict[str, Any] = {
        "organisation_id": person.organisation_id or "",
        "kind": values["kind"] if values["kind"] in ("self_assessment", "cap_session") else "",
        "referential_code": code or "CAP",
    }
    if version.isdigit():
        body["referential_version"] = int(version)
    if values["session_date"]:
        body["session_date"] = values["session_date"]
    if values["facilitator"]:
        body["facilitator"] = values["facilitator"]
    if not body["kind"]:
        problem = ApiProblem(
            422,
            "Formulaire incomplet",
            "Choisissez le type de diagnostic.",
            errors=[{"field": "kind", "message": "Choisissez le type de diagnostic."}],
        )
        return await _list_page(request, api, person, problem=problem, form=values, status_code=422)
    try:
        answer = await api.post(
            "/v1/diagnostics", body, idempotency_key=str(form.get("idempotency_key") or "")
        )
    except ApiProblem as problem:
        if problem.status not in (400, 404, 409, 422):  # 404: an unknown referential
            raise
        return await _list_page(
            request, api, person, problem=problem, form=values, status_code=problem.status
        )
    return redirect(f"/diagnostics/{answer.body['id']}", request=request)


async def _overview_page(
    request: Request,
    api: Api,
    diagnostic_id: str,
    *,
    problem: ApiProblem | None = None,
    missing: list[dict[str, str]] | None = None,
    status_code: int = 200,
) -> Response:
    diagnostic, etag = await read_diagnostic(api, diagnostic_id)
    referential = await read_referential(api, diagnostic)
    answers = await read_answers(api, diagnostic_id)
    themes = theme_progress(referential, answers)
    first_open = next((t for t in themes if t["answered"] < t["total"]), None)
    return render(
        request,
        "structure/diagnostic.html",
        {
            "d": diagnostic,
            "etag": etag,
            "referential": referential,
            "themes": themes,
            "first_open": first_open,
            "editable": diagnostic["status"] in EDITABLE,
            "statuses": STATUSES,
            "kinds": KINDS,
            "problem": problem,
            "missing": missing or [],
        },
        status_code=status_code,
    )


@router.get("/diagnostics/{diagnostic_id}", include_in_schema=False, dependencies=[MEMBERS])
async def diagnostic_page(request: Request, api: ApiDep, diagnostic_id: DiagnosticId) -> Response:
    """A diagnostic: its themes with their progress, completion, results."""
    return await _overview_page(request, api, diagnostic_id)


@router.post(
    "/diagnostics/{diagnostic_id}/terminer", include_in_schema=False, dependencies=[MEMBERS]
)
async def diagnostic_complete(
    request: Request, api: ApiDep, diagnostic_id: DiagnosticId
) -> Response:
    """Complete: start it first when it is still a draft; refused with what is missing."""
    form = await request.form()
    key = str(form.get("idempotency_key") or uuid.uuid4())
    diagnostic, etag = await read_diagnostic(api, diagnostic_id)
    try:
        for _ in range(3):
            allowed = diagnostic.get("allowed_actions") or []
            action = next((a for a in ("complete", "start", "schedule") if a in allowed), None)
            if action is None:
                break
            answer = await api.post(
                f"/v1/diagnostics/{diagnostic_id}/transitions",
                {"action": action},
                idempotency_key=str(uuid.uuid5(uuid.NAMESPACE_URL, f"{key}:{action}")),
                if_match=etag,
            )
            diagnostic, etag = answer.body, answer.etag
            if action == "complete":
                return redirect(f"/diagnostics/{diagnostic_id}/resultats", request=request)
    except ApiProblem as problem:
        if problem.status not in (409, 412, 422):
            raise
        missing: list[dict[str, str]] = []
        if problem.code == "diagnostic-incomplete":
            referential = await read_referential(api, diagnostic)
            where = criterion_theme(referential)
            scores = await api.get(f"/v1/diagnostics/{diagnostic_id}/scores")
            for code in scores.get("missing") or []:
                theme, name = where.get(code, ("", code))
                missing.append({"code": code, "name": name, "theme": theme, "slug": slug(code)})
        return await _overview_page(
            request,
            api,
            diagnostic_id,
            problem=problem,
            missing=missing,
            status_code=problem.status,
        )
    stuck = ApiProblem(
        409,
        "Ce diagnostic ne peut pas être terminé",
        f"Il est au statut « {STATUSES.get(diagnostic['status'], diagnostic['status'])} ».",
    )
    return await _overview_page(request, api, diagnostic_id, problem=stuck, status_code=409)
