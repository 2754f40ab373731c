"""``/equipe``: the structure's people, the invitations, roles (member_admin manages; a member
reads)."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from cap_web.api import Api, ApiProblem
from cap_web.console import ApiDep, redirect, require
from cap_web.pages.progress.common import TEAM_ROLES, FormText, Member, clean, org_names, page
from cap_web.sessions import Person

router = APIRouter()


def team_scope(person: Person, request: Request) -> str | None:
    """The structure whose team is shown (one the person belongs to)."""
    names = org_names(person)
    wanted = request.query_params.get("structure")
    if wanted in names:
        return wanted
    return person.organisation_id


async def team_context(api: Api, person: Person, organisation_id: str | None) -> dict[str, Any]:
    """The structure's people and pending invitations (read only when the person manages it)."""
    manages = organisation_id in person.scopes("member_admin", "organisation_id")
    people: list[dict[str, Any]] = []
    invitations: list[dict[str, Any]] = []
    if manages and organisation_id:
        people, invitations = await asyncio.gather(
            api.pages("/v1/users", organisation_id=organisation_id, most=500),
            api.pages("/v1/invitations", most=500),
        )
        invitations = [i for i in invitations if i.get("organisation_id") == organisation_id]
    for someone in people:
        someone["here"] = [
            m for m in someone.get("memberships", []) if m.get("organisation_id") == organisation_id
        ]
    return {
        "organisation_id": organisation_id,
        "names": org_names(person),
        "manages": manages,
        "people": people,
        "invitations": invitations,
        "roles": TEAM_ROLES,
    }


@router.get("/equipe", include_in_schema=False)
async def team_page(request: Request, api: ApiDep, person: Member) -> Response:
    """The structure's people and invitations (managed by its member_admin)."""
    context = await team_context(api, person, team_scope(person, request))
    return page(
        request,
        "progress/team.html",
        {**context, "form": {}, "done": request.query_params.get("fait")},
    )


@router.post("/equipe/invitations", include_in_schema=False)
async def invite(
    request: Request,
    api: ApiDep,
    person: Annotated[Person, require("member_admin")],
    organisation_id: FormText = "",
    name: FormText = "",
    email: FormText = "",
    role: FormText = "member",
    idempotency_key: FormText = "",
) -> Response:
    """Invite a person to the structure; the answer's one-time link is shown to be sent."""
    form = {"name": clean(name), "email": clean(email), "role": role}
    errors: dict[str, str] = {}
    if role not in TEAM_ROLES:
        errors["role"] = "Choisissez le rôle : membre ou administrateur de la structure."
    if not form["name"]:
        errors["name"] = "Indiquez le nom de la personne."
    if "@" not in form["email"]:
        errors["email"] = "Indiquez une adresse e-mail valide (nom@domaine.fr)."
    problem: ApiProblem | None = None
    created: dict[str, Any] | None = None
    if not errors:
        try:
            answer = await api.post(
                "/v1/invitations",
                {
                    "role": role,
                    "email": form["email"],
                    "name": form["name"],
                    "organisation_id": organisation_id,
                },
                idempotency_key=idempotency_key or None,
            )
            created = answer.body
        except ApiProblem as exc:
            if exc.status not in (403, 409, 422):
                raise
            problem = exc
            errors = exc.field_messages()
    context = await team_context(api, person, organisation_id or person.organisation_id)
    if created is not None:
        return page(
            request,
            "progress/team.html",
            {**context, "form": {}, "created": created, "saved_drafts": "equipe-invitation"},
        )
    return page(
        request,
        "progress/team.html",
        {**context, "form": form, "problem": problem, "errors": errors},
        status_code=problem.status if problem else 422,
    )


@router.post("/equipe/invitations/{invitation_id}/retrait", include_in_schema=False)
async def withdraw_invitation(
    request: Request,
    invitation_id: str,
    api: ApiDep,
    _person: Annotated[Person, require("member_admin")],
    organisation_id: FormText = "",
) -> Response:
    """Withdraw a pending invitation."""
    await api.delete(f"/v1/invitations/{invitation_id}")
    return redirect(f"/equipe?structure={organisation_id}&fait=invitation-retiree", request=request)


@router.post("/equipe/personnes/{user_id}/role", include_in_schema=False)
async def change_role(
    request: Request,
    user_id: str,
    api: ApiDep,
    _person: Annotated[Person, require("member_admin")],
    organisation_id: FormText = "",
    role: FormText = "",
    idempotency_key: FormText = "",
) -> Response:
    """Give the person the chosen role in the structure, then take their other role away."""
    if role not in TEAM_ROLES:
        raise ApiProblem(
            422, "Rôle inconnu", "Choisissez membre ou administrateur de la structure."
        )
    user = await api.get(f"/v1/users/{user_id}")
    here = [m for m in user.get("memberships", []) if m.get("organisation_id") == organisation_id]
    if not any(m["role"] == role for m in here):
        await api.post(
            f"/v1/users/{user_id}/memberships",
            {"role": role, "organisation_id": organisation_id},
            idempotency_key=idempotency_key or None,
        )
    for membership in here:
        if membership["role"] != role and membership["role"] in TEAM_ROLES:
            await api.delete(f"/v1/users/{user_id}/memberships/{membership['id']}")
    return redirect(f"/equipe?structure={organisation_id}&fait=role", request=request)


@router.post("/equipe/personnes/{user_id}/retrait", include_in_schema=False)
async def remove_person(
    request: Request,
    user_id: str,
    api: ApiDep,
    person: Annotated[Person, require("member_admin")],
    organisation_id: FormText = "",
) -> Response:
    """Take every role the person holds in the structure away (their account stays)."""
    if person.user_id in (user_id, f"user:{user_id}"):
        raise ApiProblem(
            409,
            "Action impossible",
            "Vous ne pouvez pas vous retirer vous-même de la structure : demandez-le à un autre "
            "administrateur.",
        )
    user = await api.get(f"/v1/users/{user_id}")
    for membership in user.get("memberships", []):
        if membership.get("organisation_id") == organisation_id:
            await api.delete(f"/v1/users/{user_id}/memberships/{membership['id']}")
    return redirect(f"/equipe?structure={organisation_id}&fait=retrait", request=request)
