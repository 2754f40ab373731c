"""``/admin/impartialite``: the impartiality declarations of auditors and committee members —
the consultancy, accompaniment or training each gave to a structure, which bars them from
auditing it or deciding on it for the scheme's cooling-off period (the API applies the rule;
ISO/IEC 17021-1 §5.2.11). The list of people, one person's engagements, one recorded."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from cap_web.api import Api, ApiProblem
from cap_web.console import ApiDep, redirect
from cap_web.pages.admin.common import Admin
from cap_web.pages.admin.network import (
    ENGAGEMENT_KIND,
    FormText,
    KnownIds,
    clean,
    find,
    form_problem,
    names_of_bodies,
    names_of_structures,
    page,
)

router = APIRouter(dependencies=KnownIds)

#: What a committee member declares (an auditor's list also keeps audits done, as history).
COMMITTEE_KINDS = ("consultancy", "accompaniment", "training")


@router.get("/admin/impartialite", include_in_schema=False)
async def impartiality_page(request: Request, api: ApiDep, _person: Admin) -> Response:
    """The auditors and the committee members with how many engagements each declared, and
    the register of every declaration, most recent first."""
    auditors, members, bodies, structures = await asyncio.gather(
        api.pages("/v1/auditors", most=500),
        api.pages("/v1/users", role="committee", most=500),
        names_of_bodies(api),
        names_of_structures(api),
    )
    lists = await asyncio.gather(
        *(api.pages(f"/v1/auditors/{a['id']}/engagements", most=200) for a in auditors),
        *(api.pages(f"/v1/committee-members/{u['id']}/engagements", most=200) for u in members),
    )
    register: list[dict[str, Any]] = []
    for index, (person, engagements) in enumerate(zip([*auditors, *members], lists, strict=True)):
        is_auditor = index < len(auditors)
        person["engagements"] = len(engagements)
        for engagement in engagements:
            register.append(
                {
                    **engagement,
                    "who": person["name"],
                    "href": (
                        f"/admin/impartialite/auditeurs/{person['id']}"
                        if is_auditor
                        else f"/admin/impartialite/comite/{person['id']}"
                    ),
                    "as": "Auditeur" if is_auditor else "Comité",
                    "date": engagement.get("on") or engagement.get("started_on") or "",
                }
            )
    register.sort(key=lambda e: str(e["date"]), reverse=True)
    return page(
        request,
        "admin/impartiality.html",
        {
            "auditors": auditors,
            "members": members,
            "bodies": bodies,
            "structures": structures,
            "register": register[:100],
        },
    )


async def auditor_context(api: Api, auditor_id: str) -> dict[str, Any]:
    """An auditor, their engagements and the structures a new one may name."""
    auditor, engagements, structures, bodies = await asyncio.gather(
        find(api, "/v1/auditors", auditor_id),
        api.pages(f"/v1/auditors/{auditor_id}/engagements", most=500),
        names_of_structures(api),
        names_of_bodies(api),
    )
    return {
        "who": auditor["name"],
        "what": "Auditeur de "
        + bodies.get(auditor["certification_body_id"], auditor["certification_body_id"]),
        "action": f"/admin/impartialite/auditeurs/{auditor_id}",
        "engagements": engagements,
        "structures": structures,
        "kinds": {k: ENGAGEMENT_KIND[k] for k in ENGAGEMENT_KIND},
        "auditor": True,
        "form": {},
        "errors": {},
    }


async def member_context(api: Api, user_id: str) -> dict[str, Any]:
    """A committee member, their engagements and the structures a new one may name."""
    user, engagements, structures = await asyncio.gather(
        api.get(f"/v1/users/{user_id}"),
        api.pages(f"/v1/committee-members/{user_id}/engagements", most=500),
        names_of_structures(api),
    )
    return {
        "who": user["name"],
        "what": "Membre du comité"
        if any(m.get("role") == "committee" for m in user.get("memberships", []))
        else "Compte sans rôle au comité",
        "action": f"/admin/impartialite/comite/{user_id}",
        "engagements": engagements,
        "structures": structures,
        "kinds": {k: ENGAGEMENT_KIND[k] for k in COMMITTEE_KINDS},
        "auditor": False,
        "form": {},
        "errors": {},
    }


def engagement_page(request: Request, context: dict[str, Any], **kwargs: Any) -> Response:
    """A person's engagements page."""
    done = request.query_params.get("fait")
    return page(
        request,
        "admin/engagements.html",
        {"done": done, "saved_drafts": "admin-engagement" if done else "", **context},
        **kwargs,
    )


@router.get("/admin/impartialite/auditeurs/{auditor_id}", include_in_schema=False)
async def auditor_engagements(
    request: Request, auditor_id: str, api: ApiDep, _person: Admin
) -> Response:
    """An auditor's engagements with structures, and the form recording one."""
    return engagement_page(request, await auditor_context(api, auditor_id))


@router.get("/admin/impartialite/comite/{user_id}", include_in_schema=False)
async def member_engagements(
    request: Request, user_id: str, api: ApiDep, _person: Admin
) -> Response:
    """A committee member's engagements with structures, and the form declaring one."""
    return engagement_page(request, await member_context(api, user_id))


def engagement_form(
    organisation_id: str, kind: str, start: str, end: str, note: str, kinds: dict[str, str]
) -> tuple[dict[str, str], dict[str, str]]:
    """The engagement typed, and what is missing."""
    form = {
        "organisation_id": organisation_id,
        "kind": kind,
        "start": start.strip(),
        "end": end.strip(),
        "note": clean(note),
    }
    errors: dict[str, str] = {}
    if not organisation_id:
        errors["organisation_id"] = "Choisissez la structure concernée."
    if kind not in kinds:
        errors["kind"] = "Choisissez la nature de l'engagement."
    return form, errors


@router.post("/admin/impartialite/auditeurs/{auditor_id}", include_in_schema=False)
async def record_for_auditor(
    request: Request,
    auditor_id: str,
    api: ApiDep,
    _person: Admin,
    organisation_id: FormText = "",
    kind: FormText = "",
    start: FormText = "",
    note: FormText = "",
    idempotency_key: FormText = "",
) -> Response:
    """Record an auditor's engagement with a structure, on a date."""
    form, errors = engagement_form(organisation_id, kind, start, "", note, ENGAGEMENT_KIND)
    if not form["start"]:
        errors["start"] = "Indiquez la date de l'engagement."
    problem: ApiProblem | None = None
    if not errors:
        try:
            await api.post(
                f"/v1/auditors/{auditor_id}/engagements",
                {
                    "organisation_id": organisation_id,
                    "kind": kind,
                    "on": form["start"],
                    "note": form["note"] or None,
                },
                idempotency_key=idempotency_key or None,
            )
            return redirect(
                f"/admin/impartialite/auditeurs/{auditor_id}?fait=enregistre", request=request
            )
        except ApiProblem as exc:
            problem = form_problem(exc, 404)
            errors = {("start" if k == "on" else k): v for k, v in exc.field_messages().items()}
    context = await auditor_context(api, auditor_id)
    return page(
        request,
        "admin/engagements.html",
        {**context, "form": form, "errors": errors, "problem": problem},
        status_code=problem.status if problem else 422,
    )


@router.post("/admin/impartialite/comite/{user_id}", include_in_schema=False)
async def declare_for_member(
    request: Request,
    user_id: str,
    api: ApiDep,
    _person: Admin,
    organisation_id: FormText = "",
    kind: FormText = "",
    start: FormText = "",
    end: FormText = "",
    note: FormText = "",
    idempotency_key: FormText = "",
) -> Response:
    """Declare a committee member's engagement with a structure (ended or still going on)."""
    kinds = {k: ENGAGEMENT_KIND[k] for k in COMMITTEE_KINDS}
    form, errors = engagement_form(organisation_id, kind, start, end, note, kinds)
    problem: ApiProblem | None = None
    if not errors:
        try:
            await api.post(
                f"/v1/committee-members/{user_id}/engagements",
                {
                    "organisation_id": organisation_id,
                    "kind": kind,
                    "started_on": form["start"] or None,
                    "ended_on": form["end"] or None,
                    "description": form["note"] or None,
                },
                idempotency_key=idempotency_key or None,
            )
            return redirect(
                f"/admin/impartialite/comite/{user_id}?fait=enregistre", request=request
            )
        except ApiProblem as exc:
            problem = form_problem(exc, 404)
            renamed = {"started_on": "start", "ended_on": "end", "description": "note"}
            errors = {renamed.get(k, k): v for k, v in exc.field_messages().items()}
    context = await member_context(api, user_id)
    return page(
        request,
        "admin/engagements.html",
        {**context, "form": form, "errors": errors, "problem": problem},
        status_code=problem.status if problem else 422,
    )
