"""``/admin/personnes``: people, their roles and what each role is scoped to (a structure, a
facilitator's region, an auditor's certification body); a role given or taken away, an account
suspended or reactivated, a person invited."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from cap_web.api import Api, ApiProblem
from cap_web.console import ApiDep, redirect
from cap_web.pages.admin.common import Admin
from cap_web.pages.admin.network import (
    ROLE,
    ROLE_SCOPE,
    USER_STATUS,
    FormText,
    KnownIds,
    clean,
    form_problem,
    names_of_bodies,
    names_of_structures,
    page,
)
from cap_web.sessions import Person
from cap_web.words import REGIONS

router = APIRouter(dependencies=KnownIds)


def role_scope(role: str, organisation_id: str, region: str, body_id: str) -> dict[str, Any]:
    """A role and its scope as the form gave them: the scope the role takes, when chosen (the
    API refuses a role without its scope, in French, next to the field)."""
    body: dict[str, Any] = {"role": role}
    chosen = {
        "organisation_id": organisation_id,
        "region": region,
        "certification_body_id": body_id,
    }
    key = ROLE_SCOPE.get(role)
    if key and chosen[key]:
        body[key] = chosen[key]
    return body


def scope_errors(role: str, body: dict[str, Any]) -> dict[str, str]:
    """What the form misses before asking the API."""
    if role not in ROLE:
        return {"role": "Choisissez un rôle."}
    missing = {
        "organisation_id": "Choisissez la structure de ce rôle.",
        "region": "Choisissez la région de l'animateur.",
        "certification_body_id": "Choisissez l'organisme certificateur de l'auditeur.",
    }
    key = ROLE_SCOPE.get(role)
    return {key: missing[key]} if key and key not in body else {}


async def choices(api: Api) -> dict[str, Any]:
    """What the role forms offer: every structure and every certification body."""
    structures, bodies = await asyncio.gather(names_of_structures(api), names_of_bodies(api))
    return {"structures": structures, "bodies": bodies}


async def people_context(api: Api, request: Request) -> dict[str, Any]:
    """The people (filtered by role, structure, name), the pending invitations, the choices."""
    role = request.query_params.get("role", "")
    structure = request.query_params.get("structure", "")
    search = clean(request.query_params.get("q", ""))
    people, invitations, offered, facilitators, organisations = await asyncio.gather(
        api.pages(
            "/v1/users",
            role=role if role in ROLE else None,
            organisation_id=structure or None,
            most=2000,
        ),
        api.pages("/v1/invitations", most=500),
        choices(api),
        api.pages("/v1/users", role="facilitator", most=1000),
        api.pages("/v1/organisations", most=2000),
    )
    wanted = search.casefold()
    shown = [p for p in people if not wanted or wanted in f"{p['name']} {p['email']}".casefold()]
    shown.sort(key=lambda p: str(p.get("name", "")).casefold())
    return {
        "people": shown,
        "invitations": invitations,
        "filters": {
            "role": role if role in ROLE else "",
            "structure": structure if structure in offered["structures"] else "",
            "q": search,
        },
        "regions": facilitators_by_region(facilitators, organisations),
        **offered,
    }


def facilitators_by_region(
    facilitators: list[dict[str, Any]], organisations: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Each region with structures or facilitators: its facilitators (active or suspended) and
    how many structures it has — a region with structures and no facilitator stands out."""
    structures: dict[str, int] = {}
    for organisation in organisations:
        structures[organisation["region"]] = structures.get(organisation["region"], 0) + 1
    people: dict[str, list[dict[str, Any]]] = {}
    for user in facilitators:
        for membership in user.get("memberships", []):
            if membership.get("role") == "facilitator" and membership.get("region"):
                people.setdefault(membership["region"], []).append(user)
    return [
        {
            "code": code,
            "name": name,
            "facilitators": people.get(code, []),
            "structures": structures.get(code, 0),
        }
        for code, name in sorted(REGIONS.items(), key=lambda item: item[1])
        if code in structures or code in people
    ]


@router.get("/admin/personnes", include_in_schema=False)
async def people_page(request: Request, api: ApiDep, _person: Admin) -> Response:
    """Every account with its roles and their scope, filters, and the invitation form."""
    context = await people_context(api, request)
    return page(
        request,
        "admin/people.html",
        {
            **context,
            "form": {"organisation_id": context["filters"]["structure"]},
            "errors": {},
            "done": request.query_params.get("fait"),
        },
    )


@router.post("/admin/personnes/invitations/{invitation_id}/retrait", include_in_schema=False)
async def withdraw_invitation(
    request: Request, invitation_id: str, api: ApiDep, _person: Admin
) -> Response:
    """Withdraw a pending invitation (its link no longer works)."""
    await api.delete(f"/v1/invitations/{invitation_id}")
    return redirect("/admin/personnes?fait=invitation-retiree", request=request)


@router.post("/admin/personnes/invitations", include_in_schema=False)
async def invite(
    request: Request,
    api: ApiDep,
    _person: Admin,
    name: FormText = "",
    email: FormText = "",
    role: FormText = "",
    organisation_id: FormText = "",
    region: FormText = "",
    certification_body_id: FormText = "",
    idempotency_key: FormText = "",
) -> Response:
    """Invite a person to a role; the one-time link of the answer is shown to be sent."""
    form = {
        "name": clean(name),
        "email": clean(email),
        "role": role,
        "organisation_id": organisation_id,
        "region": region,
        "certification_body_id": certification_body_id,
    }
    body = role_scope(role, organisation_id, region, certification_body_id)
    errors = scope_errors(role, body)
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
                {**body, "name": form["name"], "email": form["email"]},
                idempotency_key=idempotency_key or None,
            )
            created = answer.body
        except ApiProblem as exc:
            problem = form_problem(exc, 404)
            errors = exc.field_messages()
    context = await people_context(api, request)
    if created is not None:
        return page(
            request,
            "admin/people.html",
            {**context, "form": {}, "errors": {}, "created": created, "saved_drafts": "admin-inv"},
        )
    return page(
        request,
        "admin/people.html",
        {**context, "form": form, "errors": errors, "problem": problem},
        status_code=problem.status if problem else 422,
    )


async def person_context(api: Api, user_id: str) -> dict[str, Any]:
    """One account (with the ETag of its reading) and the role form's choices."""
    answer, offered = await asyncio.gather(api.call("GET", f"/v1/users/{user_id}"), choices(api))
    return {"user": answer.body, "etag": answer.etag or "", **offered}


@router.get("/admin/personnes/{user_id}", include_in_schema=False)
async def person_page(request: Request, user_id: str, api: ApiDep, person: Admin) -> Response:
    """One person: their roles and scopes (each removable), a role to add, suspend or reactivate."""
    context = await person_context(api, user_id)
    return page(
        request,
        "admin/person.html",
        {
            **context,
            "form": {},
            "errors": {},
            "done": request.query_params.get("fait"),
            "is_me": is_me(person, user_id),
        },
    )


def is_me(person: Person, user_id: str) -> bool:
    """Whether ``user_id`` is the signed-in administrator's own account."""
    return person.user_id in (user_id, f"user:{user_id}")


@router.post("/admin/personnes/{user_id}/roles", include_in_schema=False)
async def grant_role(
    request: Request,
    user_id: str,
    api: ApiDep,
    person: Admin,
    role: FormText = "",
    organisation_id: FormText = "",
    region: FormText = "",
    certification_body_id: FormText = "",
    idempotency_key: FormText = "",
) -> Response:
    """Give the person one more role, scoped as the role needs."""
    body = role_scope(role, organisation_id, region, certification_body_id)
    errors = scope_errors(role, body)
    problem: ApiProblem | None = None
    if not errors:
        try:
            await api.post(
                f"/v1/users/{user_id}/memberships", body, idempotency_key=idempotency_key or None
            )
            return redirect(f"/admin/personnes/{user_id}?fait=role-ajoute", request=request)
        except ApiProblem as exc:
            problem = form_problem(exc, 404)
            errors = exc.field_messages()
    context = await person_context(api, user_id)
    form = {
        "role": role,
        "organisation_id": organisation_id,
        "region": region,
        "certification_body_id": certification_body_id,
    }
    return page(
        request,
        "admin/person.html",
        {
            **context,
            "form": form,
            "errors": errors,
            "problem": problem,
            "is_me": is_me(person, user_id),
        },
        status_code=problem.status if problem else 422,
    )


@router.post("/admin/personnes/{user_id}/roles/{membership_id}/retrait", include_in_schema=False)
async def remove_role(
    request: Request, user_id: str, membership_id: str, api: ApiDep, _person: Admin
) -> Response:
    """Take one role away (the account stays)."""
    await api.delete(f"/v1/users/{user_id}/memberships/{membership_id}")
    return redirect(f"/admin/personnes/{user_id}?fait=role-retire", request=request)


@router.post("/admin/personnes/{user_id}/nom", include_in_schema=False)
async def rename(
    request: Request,
    user_id: str,
    api: ApiDep,
    person: Admin,
    name: FormText = "",
    etag: FormText = "",
) -> Response:
    """Change the name the platform shows, if the account did not change since it was read."""
    typed = clean(name)
    problem: ApiProblem | None = None
    errors: dict[str, str] = {}
    if not typed:
        errors["name"] = "Indiquez le nom de la personne."
    else:
        try:
            await api.patch(f"/v1/users/{user_id}", {"name": typed}, if_match=etag or None)
            return redirect(f"/admin/personnes/{user_id}?fait=renomme", request=request)
        except ApiProblem as exc:
            problem = form_problem(exc, 412)
            errors = exc.field_messages()
    context = await person_context(api, user_id)
    if problem is not None and problem.status == 412:
        problem, typed = modified(), ""
    return page(
        request,
        "admin/person.html",
        {
            **context,
            "form": {},
            "errors": {},
            "name_form": typed,
            "name_errors": errors,
            "name_problem": problem,
            "is_me": is_me(person, user_id),
        },
        status_code=problem.status if problem else 422,
    )


def modified() -> ApiProblem:
    """The French "changed meanwhile" of a stale form (412)."""
    return ApiProblem(
        412,
        "Compte modifié entre-temps",
        "Quelqu'un a changé ce compte depuis l'affichage de la page : voici son état actuel. "
        "Recommencez si besoin.",
    )


@router.post("/admin/personnes/{user_id}/statut", include_in_schema=False)
async def change_status(
    request: Request,
    user_id: str,
    api: ApiDep,
    person: Admin,
    status: FormText = "",
    etag: FormText = "",
) -> Response:
    """Suspend the account (signed out everywhere) or reactivate it, if it did not change since
    the page was read (else the page again with "modifié entre-temps")."""
    if status not in USER_STATUS:
        raise ApiProblem(422, "État inconnu", "Choisissez « Actif » ou « Suspendu ».")
    try:
        await api.patch(f"/v1/users/{user_id}", {"status": status}, if_match=etag or None)
    except ApiProblem as exc:
        problem = form_problem(exc, 412)
        context = await person_context(api, user_id)
        if problem.status == 412:
            problem = modified()
        return page(
            request,
            "admin/person.html",
            {
                **context,
                "form": {},
                "errors": {},
                "status_problem": problem,
                "is_me": is_me(person, user_id),
            },
            status_code=problem.status,
        )
    done = "suspendu" if status == "disabled" else "reactive"
    return redirect(f"/admin/personnes/{user_id}?fait={done}", request=request)
