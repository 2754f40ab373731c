"""``/comite/recours``: the appeals against the committee's decisions — those waiting, each
with the decision appealed and the structure's reason, decided here (upheld or overturned,
with a reason, sent with the file's ETag) — and the appeals already decided."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from cap_web.api import Api, ApiProblem
from cap_web.console import ApiDep, redirect
from cap_web.pages.committee.common import (
    APPEAL_OUTCOME,
    Committee,
    page,
    structure_names,
)
from cap_web.pages.progress.common import FormText, clean

router = APIRouter()


def lodged(file: dict[str, Any]) -> dict[str, Any] | None:
    """The file's appeal waiting for a decision, if any."""
    return next((a for a in file.get("appeals") or [] if a["status"] == "lodged"), None)


async def appeals_context(api: Api) -> dict[str, Any]:
    """The files with an appeal waiting (each read again for its ETag), the appeals decided."""
    files, names = await asyncio.gather(api.pages("/v1/decisions", most=1000), structure_names(api))
    waiting_files = [f for f in files if lodged(f)]
    answers = await asyncio.gather(
        *(api.call("GET", f"/v1/decisions/{f['id']}") for f in waiting_files)
    )
    waiting = [
        {"file": a.body, "appeal": lodged(a.body), "etag": a.etag or ""}
        for a in answers
        if lodged(a.body)
    ]
    decided = [
        {"file": f, "appeal": a}
        for f in files
        for a in f.get("appeals") or []
        if a["status"] != "lodged"
    ]
    decided.sort(key=lambda d: str(d["appeal"].get("decided_at") or ""), reverse=True)
    return {"waiting": waiting, "decided": decided[:50], "names": names}


@router.get("/comite/recours", include_in_schema=False)
async def appeals_page(request: Request, api: ApiDep, _person: Committee) -> Response:
    """The appeals waiting and those decided."""
    done = request.query_params.get("decide") or ""
    return page(
        request,
        "committee/appeals.html",
        {
            **await appeals_context(api),
            "done": done,
            "form_of": "",
            "form": {},
            "errors": {},
            "saved_drafts": f"recours-{done}" if done else "",
        },
    )


@router.post("/comite/recours/{file_id}/decision", include_in_schema=False)
async def decide_appeal(
    request: Request,
    file_id: str,
    api: ApiDep,
    _person: Committee,
    outcome: FormText = "",
    reason: FormText = "",
    scope: FormText = "",
    certificate_number: FormText = "",
    etag: FormText = "",
    idempotency_key: FormText = "",
) -> Response:
    """Decide the file's appeal as the file was read (its ETag): upheld or overturned."""
    form = {
        "outcome": outcome,
        "reason": clean(reason),
        "scope": clean(scope),
        "certificate_number": clean(certificate_number),
    }
    errors: dict[str, str] = {}
    if outcome not in APPEAL_OUTCOME:
        errors["outcome"] = "Choisissez : rejeter ou accueillir le recours."
    if not form["reason"]:
        errors["reason"] = "Indiquez le motif de la décision sur le recours."
    problem: ApiProblem | None = None
    stale = False
    if not errors:
        body: dict[str, Any] = {"outcome": outcome, "reason": form["reason"]}
        if form["scope"]:
            body["scope"] = form["scope"]
        if form["certificate_number"]:
            body["certificate_number"] = form["certificate_number"]
        try:
            await api.post(
                f"/v1/decisions/{file_id}/appeal/decision",
                body,
                idempotency_key=idempotency_key or None,
                if_match=etag or None,
            )
            return redirect(f"/comite/recours?decide={file_id}", request=request)
        except ApiProblem as exc:
            if exc.status not in (403, 409, 412, 422, 428):
                raise
            problem = exc
            stale = exc.status in (412, 428)
            errors = {} if stale else exc.field_messages()
    return page(
        request,
        "committee/appeals.html",
        {
            **await appeals_context(api),
            "done": "",
            "form_of": file_id,
            "form": form,
            "errors": errors,
            "problem": None if stale else problem,
            "stale": stale,
        },
        status_code=problem.status if problem else 422,
    )
