"""The findings of an audit as its auditor records them (major or minor nonconformity,
observation, opportunity for improvement, strength; on a criterion or a clause, at a site,
with evidence: ``POST /v1/audits/{id}/findings``) and the review of the structure's answers
(plan accepted or sent back, closure verified: ``POST /v1/findings/{id}/review``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from cap_web.api import ApiProblem
from cap_web.console import ApiDep, redirect
from cap_web.pages.auditor.audit import show
from cap_web.pages.auditor.common import EVIDENCE_ROWS, REVIEW, Auditor, clean
from cap_web.pages.progress.audits import evidence_of

router = APIRouter()

FINDING_FIELDS = ("type", "title", "description", "criterion_urn", "clause", "site_id")


def field_errors(problem: ApiProblem) -> dict[str, str]:
    """The API's message for each field of the finding form (an evidence row's: ``evidence``)."""
    out: dict[str, str] = {}
    for error in problem.errors:
        where = str(error.get("field") or error.get("pointer") or "")
        name = "evidence" if "evidence" in where else where.rsplit(".", 1)[-1].rsplit("/", 1)[-1]
        message = str(error.get("message_fr") or error.get("message") or "")
        if name and message:
            out.setdefault(name, message)
    return out


@router.post("/auditeur/audits/{audit_id}/constats", include_in_schema=False)
async def add_finding(request: Request, audit_id: str, api: ApiDep, _person: Auditor) -> Response:
    """Record a finding; 409/422 show the form again with the API's words."""
    data = await request.form()
    titles = [str(data.get(f"evidence_title_{i}", "")) for i in range(EVIDENCE_ROWS)]
    urls = [str(data.get(f"evidence_url_{i}", "")) for i in range(EVIDENCE_ROWS)]
    form: dict[str, Any] = {k: clean(str(data.get(k, ""))) for k in FINDING_FIELDS}
    form |= {"evidence_title": titles, "evidence_url": urls}
    evidence, errors = evidence_of(titles, urls)
    if not form["title"]:
        errors["title"] = "Donnez un intitulé au constat."
    problem: ApiProblem | None = None
    if not errors:
        body = {k: (form[k] or None) for k in FINDING_FIELDS if k not in ("title", "description")}
        body |= {"title": form["title"], "description": form["description"], "evidence": evidence}
        try:
            created = await api.post(
                f"/v1/audits/{audit_id}/findings",
                body,
                idempotency_key=str(data.get("idempotency_key") or "") or None,
            )
            return redirect(
                f"/auditeur/audits/{audit_id}?enregistre=constat&brouillon=constat-{audit_id}"
                f"#constat-{created.body['id']}",
                request=request,
            )
        except ApiProblem as exc:
            if exc.status not in (409, 422):
                raise
            problem = exc
            errors = field_errors(exc)
    return await show(
        request,
        api,
        audit_id,
        status_code=problem.status if problem else 422,
        finding_form=form,
        finding_problem=problem,
        finding_errors=errors,
    )


@router.post("/auditeur/audits/{audit_id}/constats/{finding_id}/revue", include_in_schema=False)
async def review_answer(
    request: Request, audit_id: str, finding_id: str, api: ApiDep, _person: Auditor
) -> Response:
    """The auditor's decision on the structure's answer, with a comment."""
    data = await request.form()
    decision = str(data.get("decision", ""))
    comment = clean(str(data.get("comment", "")))
    problem: ApiProblem | None = None
    if decision not in REVIEW:
        problem = ApiProblem(422, "Décision manquante", "Choisissez votre décision sur la réponse.")
    elif decision == "send_back" and not comment:
        problem = ApiProblem(
            422, "Commentaire manquant", "Dites à la structure ce qui manque à sa réponse."
        )
    else:
        try:
            await api.post(
                f"/v1/findings/{finding_id}/review",
                {"decision": decision, "comment": comment or None},
                idempotency_key=str(data.get("idempotency_key") or "") or None,
            )
        except ApiProblem as exc:
            if exc.status not in (409, 422):
                raise
            problem = exc
    if problem is None:
        return redirect(
            f"/auditeur/audits/{audit_id}?enregistre=revue&brouillon=revue-{finding_id}"
            f"#constat-{finding_id}",
            request=request,
        )
    return await show(
        request,
        api,
        audit_id,
        status_code=problem.status,
        review_id=finding_id,
        review_form={"decision": decision, "comment": comment},
        review_problem=problem,
    )
