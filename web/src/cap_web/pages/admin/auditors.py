"""``/admin/auditeurs``: the auditors of the certification bodies, with their qualifications
(per scheme, with validity dates), whether they plan their body's audits and their platform
account; one registered, one edited (If-Match)."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from cap_web.api import Api, ApiProblem
from cap_web.console import ApiDep, redirect
from cap_web.pages.admin.common import Admin
from cap_web.pages.admin.network import (
    SCHEME,
    KnownIds,
    clean,
    find,
    form_problem,
    listed_etag,
    names_of_bodies,
    page,
)

router = APIRouter(dependencies=KnownIds)

MODIFIED = (
    "Quelqu'un a changé cet auditeur depuis l'affichage de la page : voici ce qu'il contient "
    "maintenant. Recommencez si besoin."
)


async def accounts(api: Api) -> dict[str, str]:
    """The platform accounts holding the auditor role, id → "name (e-mail)"."""
    users = await api.pages("/v1/users", role="auditor", most=1000)
    return {u["id"]: f"{u['name']} ({u['email']})" for u in users}


def qualifications_of(form: dict[str, Any]) -> tuple[list[dict[str, str]], dict[str, str]]:
    """The qualifications typed (a scheme: from, until; both empty: not qualified)."""
    chosen: list[dict[str, str]] = []
    errors: dict[str, str] = {}
    for scheme in SCHEME:
        start = str(form.get(f"from_{scheme}", "")).strip()
        end = str(form.get(f"until_{scheme}", "")).strip()
        if not start and not end:
            continue
        if not start or not end:
            errors[f"q_{scheme}"] = "Indiquez les deux dates de validité, ou aucune."
            continue
        if end < start:
            errors[f"q_{scheme}"] = "La fin de validité suit son début."
            continue
        chosen.append({"scheme": scheme, "valid_from": start, "valid_until": end})
    return chosen, errors


def form_of(data: Any) -> dict[str, Any]:
    """What the auditor's form holds, cleaned."""
    form: dict[str, Any] = {
        "certification_body_id": str(data.get("certification_body_id", "")),
        "name": clean(str(data.get("name", ""))),
        "email": clean(str(data.get("email", ""))),
        "user_id": str(data.get("user_id", "")),
        "planner": data.get("planner") == "1",
        "active": data.get("active") == "1",
    }
    for scheme in SCHEME:
        for key in (f"from_{scheme}", f"until_{scheme}"):
            form[key] = str(data.get(key, "")).strip()
    return form


def form_of_auditor(auditor: dict[str, Any]) -> dict[str, Any]:
    """An auditor as its form shows it."""
    form = {**auditor, "user_id": auditor.get("user_id") or "", "email": auditor.get("email") or ""}
    for q in auditor.get("qualifications", []):
        form[f"from_{q.get('scheme')}"] = q.get("valid_from", "")
        form[f"until_{q.get('scheme')}"] = q.get("valid_until", "")
    return form


async def auditors_context(api: Api, request: Request) -> dict[str, Any]:
    """The auditors (of one body, if chosen), the bodies and the auditors' accounts."""
    body = request.query_params.get("organisme", "")
    bodies, users = await asyncio.gather(names_of_bodies(api), accounts(api))
    body = body if body in bodies else ""
    auditors = await api.pages("/v1/auditors", certification_body_id=body or None, most=2000)
    return {"auditors": auditors, "bodies": bodies, "accounts": users, "body": body}


@router.get("/admin/auditeurs", include_in_schema=False)
async def auditors_page(request: Request, api: ApiDep, _person: Admin) -> Response:
    """The auditors with their qualifications, and the form registering one."""
    context = await auditors_context(api, request)
    form = {"certification_body_id": context["body"]}
    return page(request, "admin/auditors.html", {**context, "form": form, "errors": {}})


@router.post("/admin/auditeurs", include_in_schema=False)
async def register_auditor(request: Request, api: ApiDep, _person: Admin) -> Response:
    """Register an auditor of a body with their qualifications."""
    data = await request.form()
    form = form_of(data)
    qualifications, errors = qualifications_of(form)
    if not form["certification_body_id"]:
        errors["certification_body_id"] = "Choisissez l'organisme de l'auditeur."
    if not form["name"]:
        errors["name"] = "Indiquez le nom de l'auditeur."
    problem: ApiProblem | None = None
    if not errors:
        try:
            created = await api.post(
                "/v1/auditors",
                {
                    "certification_body_id": form["certification_body_id"],
                    "name": form["name"],
                    "email": form["email"] or None,
                    "user_id": form["user_id"] or None,
                    "planner": form["planner"],
                    "qualifications": qualifications,
                },
                idempotency_key=str(data.get("idempotency_key") or "") or None,
            )
            return redirect(f"/admin/auditeurs/{created.body['id']}?fait=cree", request=request)
        except ApiProblem as exc:
            problem = form_problem(exc, 404)
            errors = exc.field_messages()
    context = await auditors_context(api, request)
    return page(
        request,
        "admin/auditors.html",
        {**context, "form": form, "errors": errors, "problem": problem},
        status_code=problem.status if problem else 422,
    )


async def auditor_context(api: Api, auditor_id: str) -> dict[str, Any]:
    """One auditor (with its listed ETag), the bodies and the auditors' accounts."""
    auditor, bodies, users = await asyncio.gather(
        find(api, "/v1/auditors", auditor_id), names_of_bodies(api), accounts(api)
    )
    return {
        "auditor": auditor,
        "etag": listed_etag(auditor),
        "bodies": bodies,
        "accounts": users,
        "form": form_of_auditor(auditor),
        "errors": {},
    }


@router.get("/admin/auditeurs/{auditor_id}", include_in_schema=False)
async def auditor_page(request: Request, auditor_id: str, api: ApiDep, _person: Admin) -> Response:
    """One auditor and the form changing them."""
    context = await auditor_context(api, auditor_id)
    done = request.query_params.get("fait")
    return page(
        request,
        "admin/auditor.html",
        {**context, "done": done, "saved_drafts": "admin-auditeur" if done == "cree" else ""},
    )


@router.post("/admin/auditeurs/{auditor_id}", include_in_schema=False)
async def edit_auditor(request: Request, auditor_id: str, api: ApiDep, _person: Admin) -> Response:
    """Change an auditor (name, e-mail, account, planner, active, qualifications), if unchanged
    since the page was read."""
    data = await request.form()
    form = form_of(data)
    qualifications, errors = qualifications_of(form)
    if not form["name"]:
        errors["name"] = "Indiquez le nom de l'auditeur."
    problem: ApiProblem | None = None
    if not errors:
        try:
            await api.patch(
                f"/v1/auditors/{auditor_id}",
                {
                    "name": form["name"],
                    "email": form["email"] or None,
                    "user_id": form["user_id"] or None,
                    "planner": form["planner"],
                    "active": form["active"],
                    "qualifications": qualifications,
                },
                if_match=str(data.get("etag") or "") or None,
            )
            return redirect(f"/admin/auditeurs/{auditor_id}?fait=modifie", request=request)
        except ApiProblem as exc:
            problem = form_problem(exc, 404, 412)
            errors = exc.field_messages()
    context = await auditor_context(api, auditor_id)
    if problem is not None and problem.status == 412:
        problem = ApiProblem(412, "Auditeur modifié entre-temps", MODIFIED)
    else:
        context.update(form=form, errors=errors)
    return page(
        request,
        "admin/auditor.html",
        {**context, "problem": problem},
        status_code=problem.status if problem else 422,
    )
