"""``/comite/dossiers/{id}``: one decision file — the level the rule computed with its
explanation (every threshold and core criterion against the auditor's evaluation, and why the
level is not higher), the impartiality checks of the person about to decide and their result,
the decision (confirm, possibly lower with a reason; refuse; defer) sent with the file's ETag,
and the history."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from cap_web.api import Api, ApiProblem
from cap_web.console import ApiDep, redirect
from cap_web.pages.committee.common import OUTCOME, TO_DECIDE, Committee, page
from cap_web.pages.progress.common import FormText, clean

router = APIRouter()


async def names_of(api: Api, ids: list[str]) -> dict[str, str]:
    """The names of a file's structures (one read each: a file names a handful)."""

    async def name(org_id: str) -> str:
        try:
            found = await api.get(f"/v1/organisations/{org_id}")
        except ApiProblem:
            return org_id
        return str(found.get("name") or org_id)

    return dict(zip(ids, await asyncio.gather(*(name(i) for i in ids)), strict=True))


def labels_of(evaluation: dict[str, Any] | None) -> list[str]:
    """The levels that are a label under the file's rule, lowest first, as the API explained
    them (the central function's rule)."""
    if not evaluation:
        return []
    central = (evaluation.get("members") or {}).get(evaluation.get("central_function")) or {}
    levels = (central.get("explanation") or {}).get("levels") or []
    return [str(level["name"]) for level in levels if level.get("label")]


async def file_context(api: Api, file_id: str) -> dict[str, Any]:
    """A file with its ETag, the caller's impartiality checks and its structures' names."""
    answer, checks = await asyncio.gather(
        api.call("GET", f"/v1/decisions/{file_id}"),
        api.get(f"/v1/decisions/{file_id}/impartiality"),
    )
    file = answer.body
    names = await names_of(api, [file["organisation_id"], *file["group_member_ids"]])
    return {
        "file": file,
        "etag": answer.etag or "",
        "checks": checks,
        "names": names,
        "labels": labels_of(file.get("evaluation")),
        "decidable": file["scheme"] == "CAP_RSE" and file["status"] in TO_DECIDE,
    }


@router.get("/comite/dossiers/{file_id}", include_in_schema=False)
async def file_page(request: Request, file_id: str, api: ApiDep, _person: Committee) -> Response:
    """The file, its rule's explanation, the checks, the decision form and the history."""
    context = await file_context(api, file_id)
    decided = request.query_params.get("decide") == "1"
    return page(
        request,
        "committee/file.html",
        {
            **context,
            "form": {"level": context["file"].get("computed_level") or ""},
            "errors": {},
            "decided": decided,
            "saved_drafts": f"decision-{file_id}" if decided else "",
        },
    )


@router.post("/comite/dossiers/{file_id}/decision", include_in_schema=False)
async def decide(
    request: Request,
    file_id: str,
    api: ApiDep,
    _person: Committee,
    outcome: FormText = "",
    level: FormText = "",
    reason: FormText = "",
    scope: FormText = "",
    etag: FormText = "",
    idempotency_key: FormText = "",
) -> Response:
    """Send the decision on the file as it was read (its ETag in If-Match): 412 shows the file
    as it is now, 409/422 the API's problem next to the fields."""
    form = {
        "outcome": outcome,
        "level": clean(level),
        "reason": clean(reason),
        "scope": clean(scope),
    }
    errors: dict[str, str] = {}
    if outcome not in OUTCOME:
        errors["outcome"] = "Choisissez une décision : confirmer, refuser ou ajourner."
    problem: ApiProblem | None = None
    stale = False
    if not errors:
        body: dict[str, Any] = {"outcome": outcome}
        if outcome == "confirm" and form["level"]:
            body["level"] = form["level"]
        if form["reason"]:
            body["reason"] = form["reason"]
        if outcome == "confirm" and form["scope"]:
            body["scope"] = form["scope"]
        try:
            await api.post(
                f"/v1/decisions/{file_id}/decide",
                body,
                idempotency_key=idempotency_key or None,
                if_match=etag or None,
            )
            return redirect(f"/comite/dossiers/{file_id}?decide=1#decision", request=request)
        except ApiProblem as exc:
            if exc.status not in (403, 409, 412, 422, 428):
                raise
            problem = exc
            stale = exc.status in (412, 428)
            errors = {} if stale else exc.field_messages()
    context = await file_context(api, file_id)
    return page(
        request,
        "committee/file.html",
        {
            **context,
            "form": form,
            "errors": errors,
            "problem": None if stale else problem,
            "stale": stale,
        },
        status_code=problem.status if problem else 422,
    )
