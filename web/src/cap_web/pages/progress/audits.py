"""``/audits``: the audit programme's dates, each audit's findings and the answer to a
nonconformity."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from cap_web.api import Api, ApiProblem
from cap_web.console import ApiDep, redirect
from cap_web.pages.progress.common import EVIDENCE_ROWS, Member, clean, org_names, page

router = APIRouter()


@router.get("/audits", include_in_schema=False)
async def audits_page(request: Request, api: ApiDep, person: Member) -> Response:
    """The audit programmes (their dates) and the audits with their findings' counts."""
    programmes, audits = await asyncio.gather(
        api.pages("/v1/audit-programmes", most=100), api.pages("/v1/audits", most=200)
    )
    return page(
        request,
        "progress/audits.html",
        {"programmes": programmes, "audits": audits, "names": org_names(person)},
    )


async def audit_context(api: Api, audit_id: str) -> dict[str, Any]:
    """An audit and its findings, read together."""
    audit, findings = await asyncio.gather(
        api.get(f"/v1/audits/{audit_id}"), api.pages(f"/v1/audits/{audit_id}/findings", most=500)
    )
    return {"audit": audit, "findings": findings}


@router.get("/audits/{audit_id}", include_in_schema=False)
async def audit_page(request: Request, audit_id: str, api: ApiDep, person: Member) -> Response:
    """One audit: its dates, plan, findings, and the answer form of each open nonconformity."""
    context = await audit_context(api, audit_id)
    answered = request.query_params.get("reponse")
    return page(
        request,
        "progress/audit.html",
        {
            **context,
            "names": org_names(person),
            "answered": answered,
            "saved_drafts": f"constat-{answered}" if answered else "",
        },
    )


def evidence_of(titles: list[str], urls: list[str]) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """The evidence rows typed (a title, a link), and what is wrong with them."""
    evidence: list[dict[str, Any]] = []
    errors: dict[str, str] = {}
    for title, url in zip(titles, urls, strict=False):
        title, url = clean(title), clean(url)
        if not title and not url:
            continue
        if not title:
            errors["evidence"] = "Donnez un intitulé à chaque preuve."
            continue
        if url and not url.startswith(("https://", "http://")):
            errors["evidence"] = "Le lien d'une preuve commence par https:// (ou http://)."
            continue
        evidence.append({"title": title, "url": url or None})
    return evidence, errors


@router.post("/audits/{audit_id}/constats/{finding_id}/reponse", include_in_schema=False)
async def answer_finding(
    request: Request, audit_id: str, finding_id: str, api: ApiDep, person: Member
) -> Response:
    """Answer a nonconformity: root cause, correction, corrective action, due date, evidence."""
    data = await request.form()
    titles = [str(data.get(f"evidence_title_{i}", "")) for i in range(EVIDENCE_ROWS)]
    urls = [str(data.get(f"evidence_url_{i}", "")) for i in range(EVIDENCE_ROWS)]
    form: dict[str, Any] = {
        "root_cause": clean(str(data.get("root_cause", ""))),
        "correction": clean(str(data.get("correction", ""))),
        "corrective_action": clean(str(data.get("corrective_action", ""))),
        "action_due": str(data.get("action_due", "")).strip(),
        "evidence_title": titles,
        "evidence_url": urls,
    }
    evidence, errors = evidence_of(titles, urls)
    for name, label in (
        ("root_cause", "la cause"),
        ("correction", "la correction"),
        ("corrective_action", "l'action corrective"),
        ("action_due", "l'échéance de l'action corrective"),
    ):
        if not form[name]:
            errors[name] = f"Indiquez {label}."
    problem: ApiProblem | None = None
    if not errors:
        try:
            await api.post(
                f"/v1/findings/{finding_id}/response",
                {
                    "root_cause": form["root_cause"],
                    "correction": form["correction"],
                    "corrective_action": form["corrective_action"],
                    "action_due": form["action_due"],
                    "evidence": evidence,
                },
                idempotency_key=str(data.get("idempotency_key") or "") or None,
            )
            return redirect(
                f"/audits/{audit_id}?reponse={finding_id}#constat-{finding_id}", request=request
            )
        except ApiProblem as exc:
            if exc.status not in (409, 422):
                raise
            problem = exc
            errors = {
                ("evidence" if k in ("title", "url") or k.isdigit() else k): v
                for k, v in exc.field_messages().items()
            }
    context = await audit_context(api, audit_id)
    return page(
        request,
        "progress/audit.html",
        {
            **context,
            "names": org_names(person),
            "finding_id": finding_id,
            "form": form,
            "problem": problem,
            "errors": errors,
        },
        status_code=problem.status if problem else 422,
    )
