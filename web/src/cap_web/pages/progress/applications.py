"""``/candidatures``: applications alone or as a group, with what makes the structure eligible;
invitations to join another structure's group."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from cap_web.api import Api, ApiProblem
from cap_web.console import ApiDep, redirect
from cap_web.pages.progress.common import SCHEME, FormText, Member, clean, org_names, page
from cap_web.sessions import Person

router = APIRouter()


async def latest_diagnostics(api: Api, organisation_ids: list[str]) -> dict[str, Any]:
    """Each structure's latest completed diagnostic on the CAP referential (what eligibility
    rests on), among its last fifty."""

    async def latest(org: str) -> tuple[str, Any]:
        try:
            listed = await api.get("/v1/diagnostics", organisation_id=org, limit=50)
        except ApiProblem:
            return org, None
        done = [
            d
            for d in listed.get("data") or []
            if d.get("completed_at") and (d.get("referential") or {}).get("code") == "CAP"
        ]
        return org, max(done, key=lambda d: str(d["completed_at"]), default=None)

    return dict(await asyncio.gather(*(latest(o) for o in organisation_ids)))


async def application_context(api: Api, person: Person) -> dict[str, Any]:
    """What the applications page shows besides the form's values."""
    applications, invitations, bodies = await asyncio.gather(
        api.pages("/v1/applications", most=200),
        api.pages("/v1/group-invitations", most=200),
        api.pages("/v1/certification-bodies", active="true", most=200),
    )
    admin_of = person.scopes("member_admin", "organisation_id")
    return {
        "applications": applications,
        "invitations": invitations,
        "bodies": bodies,
        "names": org_names(person),
        "admin_of": admin_of,
        "diagnostics": await latest_diagnostics(api, list(org_names(person))),
    }


@router.get("/candidatures", include_in_schema=False)
async def applications_page(request: Request, api: ApiDep, person: Member) -> Response:
    """The structure's applications, the invitations to join a group, and the form to apply."""
    context = await application_context(api, person)
    return page(
        request,
        "progress/applications.html",
        {**context, "form": {}, "answered": request.query_params.get("invitation")},
    )


def member_ids(text: str) -> list[str]:
    """Structure identifiers typed one a line (or separated by commas or spaces)."""
    out: list[str] = []
    for part in clean(text).replace(",", " ").split():
        if part not in out:
            out.append(part)
    return out


@router.post("/candidatures", include_in_schema=False)
async def apply(
    request: Request,
    api: ApiDep,
    person: Member,
    organisation_id: FormText = "",
    scheme: FormText = "",
    certification_body_id: FormText = "",
    motivation: FormText = "",
    group: FormText = "",
    group_members: FormText = "",
    idempotency_key: FormText = "",
) -> Response:
    """Apply alone or as a group (the named structures are invited)."""
    form = {
        "organisation_id": organisation_id,
        "scheme": scheme,
        "certification_body_id": certification_body_id,
        "motivation": clean(motivation),
        "group": group,
        "group_members": clean(group_members),
    }
    errors: dict[str, str] = {}
    if scheme not in SCHEME:
        errors["scheme"] = "Choisissez le label CAP RSE ou la certification CAP ISO 9001."
    if not certification_body_id:
        errors["certification_body_id"] = "Choisissez l'organisme certificateur."
    members = member_ids(group_members) if group else []
    if group and not members:
        errors["group_members"] = (
            "Un groupement nomme au moins une autre structure (son identifiant)."
        )
    problem: ApiProblem | None = None
    if not errors:
        body = {
            "organisation_id": organisation_id,
            "scheme": scheme,
            "certification_body_id": certification_body_id,
            "motivation": form["motivation"] or None,
            "group_member_ids": members,
        }
        try:
            created = await api.post(
                "/v1/applications", body, idempotency_key=idempotency_key or None
            )
            return redirect(f"/candidatures/{created.body['id']}?deposee=1", request=request)
        except ApiProblem as exc:
            if exc.status not in (403, 404, 409, 422):
                raise
            problem = exc
            errors = {
                ("group_members" if k.isdigit() or k == "group_member_ids" else k): v
                for k, v in exc.field_messages().items()
            }
    context = await application_context(api, person)
    return page(
        request,
        "progress/applications.html",
        {**context, "form": form, "problem": problem, "errors": errors},
        status_code=problem.status if problem else 422,
    )


@router.get("/candidatures/{application_id}", include_in_schema=False)
async def application_page(
    request: Request, application_id: str, api: ApiDep, person: Member
) -> Response:
    """One application: status, next step, eligibility, the group's answers, withdrawal."""
    application = await api.get(f"/v1/applications/{application_id}")
    return page(
        request,
        "progress/application.html",
        {
            "a": application,
            "names": org_names(person),
            "may_withdraw": application["organisation_id"]
            in person.scopes("member_admin", "organisation_id")
            and application["status"] in ("submitted", "awaiting_consent"),
            "submitted": request.query_params.get("deposee"),
            "saved_drafts": "candidature" if request.query_params.get("deposee") else "",
        },
    )


@router.post("/candidatures/{application_id}/retrait", include_in_schema=False)
async def withdraw(
    request: Request,
    application_id: str,
    api: ApiDep,
    _person: Member,
    idempotency_key: FormText = "",
) -> Response:
    """The applicant's member_admin withdraws the application."""
    await api.post(
        f"/v1/applications/{application_id}/transitions",
        {"step": "withdraw"},
        idempotency_key=idempotency_key or None,
    )
    return redirect(f"/candidatures/{application_id}", request=request)


@router.post("/candidatures/invitations/{invitation_id}/{answer}", include_in_schema=False)
async def answer_group_invitation(
    request: Request,
    invitation_id: str,
    answer: str,
    api: ApiDep,
    _person: Member,
    idempotency_key: FormText = "",
) -> Response:
    """The invited structure's member_admin accepts or declines to join a group."""
    paths = {"accepter": "acceptance", "refuser": "refusal"}
    if answer not in paths:
        raise ApiProblem(404, "Page introuvable", "Réponse inconnue.")
    await api.post(
        f"/v1/group-invitations/{invitation_id}/{paths[answer]}",
        idempotency_key=idempotency_key or None,
    )
    return redirect(f"/candidatures?invitation={answer}", request=request)
