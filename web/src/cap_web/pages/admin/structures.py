"""``/admin/structures``: the member structures (list, register one) and one structure with its
people and their roles."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from cap_web.api import Api, ApiProblem
from cap_web.console import ApiDep, redirect
from cap_web.pages.admin.common import Admin
from cap_web.pages.admin.network import (
    SIAE_TYPES,
    FormList,
    FormText,
    KnownIds,
    clean,
    form_problem,
    page,
)
from cap_web.words import REGIONS

router = APIRouter(dependencies=KnownIds)


async def structures_context(api: Api, request: Request) -> dict[str, Any]:
    """The structures, filtered by region and by what is typed in the search field."""
    structures = await api.pages("/v1/organisations", most=2000)
    region = request.query_params.get("region", "")
    search = clean(request.query_params.get("q", "")).casefold()
    shown = [
        o
        for o in structures
        if (not region or o.get("region") == region)
        and (not search or search in f"{o.get('name', '')} {o.get('siret', '')}".casefold())
    ]
    shown.sort(key=lambda o: str(o.get("name", "")).casefold())
    return {
        "structures": shown,
        "total": len(structures),
        "region": region if region in REGIONS else "",
        "q": clean(request.query_params.get("q", "")),
    }


@router.get("/admin/structures", include_in_schema=False)
async def structures_page(request: Request, api: ApiDep, _person: Admin) -> Response:
    """Every member structure, with its region and SIAE types; the form registering one."""
    context = await structures_context(api, request)
    return page(request, "admin/structures.html", {**context, "form": {}, "errors": {}})


@router.post("/admin/structures", include_in_schema=False)
async def register_structure(
    request: Request,
    api: ApiDep,
    _person: Admin,
    name: FormText = "",
    siret: FormText = "",
    region: FormText = "",
    delegation: FormText = "",
    siae_types: FormList = [],  # noqa: B006 - FastAPI copies the default
    idempotency_key: FormText = "",
) -> Response:
    """Register a structure; every service learns of it through the platform's events."""
    form: dict[str, Any] = {
        "name": clean(name),
        "siret": clean(siret),
        "region": region,
        "delegation": clean(delegation),
        "siae_types": [t for t in siae_types if t in SIAE_TYPES],
    }
    errors: dict[str, str] = {}
    if not form["name"]:
        errors["name"] = "Indiquez le nom de la structure."
    if not form["siret"]:
        errors["siret"] = "Indiquez le SIRET (14 chiffres)."
    if region not in REGIONS:
        errors["region"] = "Choisissez la région de la structure."
    if not form["siae_types"]:
        errors["siae_types"] = "Cochez au moins un type de SIAE."
    problem: ApiProblem | None = None
    if not errors:
        try:
            created = await api.post(
                "/v1/organisations",
                {
                    "name": form["name"],
                    "siret": form["siret"],
                    "region": region,
                    "siae_types": form["siae_types"],
                    "delegation": form["delegation"] or None,
                },
                idempotency_key=idempotency_key or None,
            )
            return redirect(f"/admin/structures/{created.body['id']}?fait=creee", request=request)
        except ApiProblem as exc:
            problem = form_problem(exc)
            errors = exc.field_messages()
    context = await structures_context(api, request)
    return page(
        request,
        "admin/structures.html",
        {**context, "form": form, "errors": errors, "problem": problem},
        status_code=problem.status if problem else 422,
    )


@router.get("/admin/structures/{organisation_id}", include_in_schema=False)
async def structure_page(
    request: Request, organisation_id: str, api: ApiDep, _person: Admin
) -> Response:
    """One structure: what it is, its people with their roles in it, its region's
    facilitators."""
    structure, people, facilitators = await asyncio.gather(
        api.get(f"/v1/organisations/{organisation_id}"),
        api.pages("/v1/users", organisation_id=organisation_id, most=500),
        api.pages("/v1/users", role="facilitator", most=1000),
    )
    region = structure.get("region")
    following = [
        u
        for u in facilitators
        if any(
            m.get("role") == "facilitator" and m.get("region") == region
            for m in u.get("memberships", [])
        )
    ]
    done = request.query_params.get("fait")
    for someone in people:
        someone["here"] = [
            m for m in someone.get("memberships", []) if m.get("organisation_id") == organisation_id
        ]
    return page(
        request,
        "admin/structure.html",
        {
            "structure": structure,
            "people": people,
            "facilitators": following,
            "done": done,
            "saved_drafts": "admin-structure" if done == "creee" else "",
        },
    )
