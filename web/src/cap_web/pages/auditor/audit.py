"""``/auditeur/audits/{id}``: one audit as its auditor works on it — the plan edited (dates,
plan, team and declarations; ``PUT /v1/audits/{id}/plan`` with the audit's ETag), the steps
the API allows now that are the auditors' (start, submit the report, close), the signed report uploaded and
downloaded. The findings and their review are :mod:`.findings`; the checklist
:mod:`.checklist`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse
from starlette.datastructures import UploadFile

from cap_web.api import Api, ApiProblem, problem_of
from cap_web.console import ApiDep, redirect
from cap_web.pages.auditor.audits import names_of
from cap_web.pages.auditor.common import Auditor, clean, page, with_findings

router = APIRouter()

MODIFIED = (
    "Cet audit a été modifié entre-temps par quelqu'un d'autre : voici ses valeurs actuelles. "
    "Refaites votre changement s'il est toujours utile."
)
#: What each saved change says when the page is shown again.
SAVED = {
    "plan": "Le plan d'audit est enregistré.",
    "etape": "L'étape est enregistrée.",
    "rapport": "Le rapport signé est déposé.",
    "constat": "Le constat est enregistré.",
    "revue": "Votre décision sur la réponse est enregistrée.",
}
#: The largest report the form sends on (the API has its own limit, and says it).
REPORT_MAX_BYTES = 20 * 1024 * 1024


async def show(
    request: Request, api: Api, audit_id: str, *, status_code: int = 200, **extra: Any
) -> Response:
    """The audit page, with what a refused form adds (its values, the problem)."""
    context = await with_findings(api, audit_id)
    audit = context["audit"]
    names = names_of(audit)
    saved = request.query_params.get("enregistre", "")
    return page(
        request,
        "auditor/audit.html",
        {
            **context,
            "names": names,
            "saved": SAVED.get(saved),
            "saved_drafts": request.query_params.get("brouillon", ""),
            "plan_form": extra.pop("plan_form", None) or plan_values(audit),
            **extra,
        },
        status_code=status_code,
    )


def plan_values(audit: dict[str, Any]) -> dict[str, Any]:
    """The plan form as the audit holds it."""
    return {
        "start_date": audit.get("start_date") or "",
        "end_date": audit.get("end_date") or "",
        "plan": audit.get("plan") or "",
        "team": [
            {
                "auditor_id": t["auditor_id"],
                "name": t.get("name"),
                "role": t["role"],
                "declaration": t.get("declaration") or "",
            }
            for t in audit.get("team", [])
        ],
    }


@router.get("/auditeur/audits/{audit_id}", include_in_schema=False)
async def audit_page(request: Request, audit_id: str, api: ApiDep, _person: Auditor) -> Response:
    """The audit: facts, plan, steps, report, findings and their review."""
    return await show(request, api, audit_id)


@router.post("/auditeur/audits/{audit_id}/plan", include_in_schema=False)
async def plan_audit(request: Request, audit_id: str, api: ApiDep, _person: Auditor) -> Response:
    """Plan or re-plan the audit as it was read (its ETag): 412 shows its current values."""
    data = await request.form()
    team = []
    count = str(data.get("team_count", "0"))
    for i in range(min(int(count), 20) if count.isdigit() else 0):
        auditor_id = clean(str(data.get(f"team_{i}_auditor_id", "")))
        if not auditor_id:
            continue
        team.append(
            {
                "auditor_id": auditor_id,
                "name": clean(str(data.get(f"team_{i}_name", ""))) or auditor_id,
                "role": clean(str(data.get(f"team_{i}_role", ""))),
                "declaration": clean(str(data.get(f"team_{i}_declaration", ""))),
            }
        )
    form = {
        "start_date": str(data.get("start_date", "")).strip(),
        "end_date": str(data.get("end_date", "")).strip(),
        "plan": clean(str(data.get("plan", ""))),
        "team": team,
    }
    audit_read = await api.get(f"/v1/audits/{audit_id}")
    body: dict[str, Any] = {
        "start_date": form["start_date"] or None,
        "end_date": form["end_date"] or None,
        "plan": form["plan"],
        "team": [{k: t[k] for k in ("auditor_id", "role", "declaration")} for t in team],
    }
    if audit_read.get("site_ids"):
        body["site_ids"] = audit_read["site_ids"]
    try:
        await api.put(
            f"/v1/audits/{audit_id}/plan", body, if_match=str(data.get("etag") or "") or None
        )
    except ApiProblem as exc:
        if exc.status not in (403, 409, 412, 422, 428):
            raise
        stale = exc.status in (412, 428)
        return await show(
            request,
            api,
            audit_id,
            status_code=exc.status,
            plan_form=None if stale else form,
            plan_problem=None if stale else exc,
            plan_errors={} if stale else exc.field_messages(),
            plan_stale=MODIFIED if stale else None,
        )
    return redirect(
        f"/auditeur/audits/{audit_id}?enregistre=plan&brouillon=plan-{audit_id}#plan",
        request=request,
    )


@router.post("/auditeur/audits/{audit_id}/etapes", include_in_schema=False)
async def step_audit(request: Request, audit_id: str, api: ApiDep, _person: Auditor) -> Response:
    """One step of the audit (the API says which are possible now)."""
    data = await request.form()
    step = str(data.get("step", ""))
    body: dict[str, Any] = {"step": step}
    if step == "submit_report":
        body["summary"] = clean(str(data.get("summary", ""))) or None
    try:
        await api.post(
            f"/v1/audits/{audit_id}/transitions",
            body,
            idempotency_key=str(data.get("idempotency_key") or "") or None,
        )
    except ApiProblem as exc:
        if exc.status not in (409, 422):
            raise
        return await show(
            request,
            api,
            audit_id,
            status_code=exc.status,
            step_problem=exc,
            step_form={"step": step, "summary": body.get("summary")},
        )
    return redirect(
        f"/auditeur/audits/{audit_id}?enregistre=etape&brouillon=etape-{audit_id}-{step}#etapes",
        request=request,
    )


@router.post("/auditeur/audits/{audit_id}/rapport", include_in_schema=False)
async def upload_report(request: Request, audit_id: str, api: ApiDep, _person: Auditor) -> Response:
    """The signed report (PDF) sent to the API with the audit's ETag."""
    data = await request.form()
    upload = data.get("file")
    problem: ApiProblem | None = None
    content = b""
    if isinstance(upload, UploadFile):
        content = await upload.read(REPORT_MAX_BYTES + 1)
    if not content:
        problem = ApiProblem(422, "Aucun fichier", "Choisissez le rapport signé (PDF) à déposer.")
    elif len(content) > REPORT_MAX_BYTES:
        problem = ApiProblem(413, "Fichier trop lourd", "Le rapport dépasse 20 Mo.")
    else:
        name = (
            upload.filename if isinstance(upload, UploadFile) and upload.filename else "rapport.pdf"
        )
        try:
            await api.call(
                "PUT",
                f"/v1/audits/{audit_id}/report-document",
                files={"file": (name, content, "application/pdf")},
                if_match=str(data.get("etag") or "") or None,
            )
        except ApiProblem as exc:
            if exc.status not in (409, 412, 413, 415, 422, 428):
                raise
            problem = exc
    if problem is None:
        return redirect(f"/auditeur/audits/{audit_id}?enregistre=rapport#rapport", request=request)
    stale = problem.status in (412, 428)
    return await show(
        request,
        api,
        audit_id,
        status_code=problem.status,
        report_problem=None if stale else problem,
        report_stale=MODIFIED if stale else None,
    )


@router.get("/auditeur/audits/{audit_id}/rapport.pdf", include_in_schema=False)
async def report_document(audit_id: str, api: ApiDep, _person: Auditor) -> Response:
    """The signed report as the API keeps it, streamed through."""
    opened = AsyncExitStack()
    response = await opened.enter_async_context(
        api.stream(f"/v1/audits/{audit_id}/report-document")
    )
    if response.status_code >= 400:
        await response.aread()
        await opened.aclose()
        raise problem_of(response)
    headers = {
        k: response.headers[k]
        for k in ("content-type", "content-disposition")
        if k in response.headers
    }

    async def chunks() -> AsyncIterator[bytes]:
        try:
            async for chunk in response.aiter_bytes():
                yield chunk
        finally:
            await opened.aclose()

    return StreamingResponse(chunks(), headers=headers)
