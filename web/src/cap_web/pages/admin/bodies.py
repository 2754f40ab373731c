"""``/admin/organismes``: the certification bodies (list, register one) and one body: its
details edited (If-Match), its connection (how the platform reaches its system; the client
secret is sent, never shown again), its webhook secrets (a new one shown once) and what was
delivered to it, a failed delivery queued again."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from cap_web.api import Api, ApiProblem
from cap_web.console import ApiDep, redirect
from cap_web.pages.admin.common import Admin
from cap_web.pages.admin.network import (
    DELIVERY_STATUS,
    SCHEME,
    FormList,
    FormText,
    KnownIds,
    clean,
    find,
    form_problem,
    listed_etag,
    page,
)

router = APIRouter(dependencies=KnownIds)

MODIFIED = (
    "Quelqu'un a changé cet élément depuis l'affichage de la page : voici ce qu'il contient "
    "maintenant. Recommencez si besoin."
)


async def bodies_context(api: Api) -> dict[str, Any]:
    """Every body, active or not, with how many auditors each has."""
    bodies, auditors = await asyncio.gather(
        api.pages("/v1/certification-bodies", most=500), api.pages("/v1/auditors", most=2000)
    )
    counts: dict[str, int] = {}
    for auditor in auditors:
        counts[auditor["certification_body_id"]] = (
            counts.get(auditor["certification_body_id"], 0) + 1
        )
    return {"bodies": bodies, "auditor_counts": counts}


@router.get("/admin/organismes", include_in_schema=False)
async def bodies_page(request: Request, api: ApiDep, _person: Admin) -> Response:
    """The certification bodies and the form registering one."""
    context = await bodies_context(api)
    return page(request, "admin/bodies.html", {**context, "form": {}, "errors": {}})


@router.post("/admin/organismes", include_in_schema=False)
async def register_body(
    request: Request,
    api: ApiDep,
    _person: Admin,
    id: FormText = "",
    name: FormText = "",
    accreditation: FormText = "",
    schemes: FormList = [],  # noqa: B006 - FastAPI copies the default
    idempotency_key: FormText = "",
) -> Response:
    """Register a body: its short identifier, name, accreditation and schemes."""
    form: dict[str, Any] = {
        "id": clean(id).lower(),
        "name": clean(name),
        "accreditation": clean(accreditation),
        "schemes": [s for s in schemes if s in SCHEME],
    }
    errors: dict[str, str] = {}
    if not form["id"]:
        errors["id"] = "Indiquez un identifiant court (lettres minuscules, chiffres, tirets)."
    if not form["name"]:
        errors["name"] = "Indiquez le nom de l'organisme."
    if not form["schemes"]:
        errors["schemes"] = "Cochez au moins un schéma."
    problem: ApiProblem | None = None
    if not errors:
        try:
            created = await api.post(
                "/v1/certification-bodies",
                {**form, "accreditation": form["accreditation"] or None},
                idempotency_key=idempotency_key or None,
            )
            return redirect(f"/admin/organismes/{created.body['id']}?fait=cree", request=request)
        except ApiProblem as exc:
            problem = form_problem(exc)
            errors = exc.field_messages()
    context = await bodies_context(api)
    return page(
        request,
        "admin/bodies.html",
        {**context, "form": form, "errors": errors, "problem": problem},
        status_code=problem.status if problem else 422,
    )


async def connection_of(api: Api, body_id: str) -> tuple[dict[str, Any] | None, str]:
    """The body's connection and its ETag; None (and no tag) while it is not connected."""
    try:
        answer = await api.call("GET", f"/v1/certification-bodies/{body_id}/connection")
    except ApiProblem as exc:
        if exc.status != 404:
            raise
        return None, ""
    return answer.body, answer.etag or ""


async def body_context(api: Api, request: Request, body_id: str) -> dict[str, Any]:
    """One body (with its listed ETag), its connection, secrets, deliveries and auditors."""
    status = request.query_params.get("livraisons", "")
    body, (connection, connection_etag), secrets, deliveries, auditors = await asyncio.gather(
        find(api, "/v1/certification-bodies", body_id),
        connection_of(api, body_id),
        api.pages(f"/v1/certification-bodies/{body_id}/webhook-secrets", most=100),
        api.get(
            f"/v1/certification-bodies/{body_id}/deliveries",
            status=status if status in DELIVERY_STATUS else None,
            limit=50,
        ),
        api.pages("/v1/auditors", certification_body_id=body_id, most=500),
    )
    return {
        "body": body,
        "etag": listed_etag(body),
        "connection": connection,
        "connection_etag": connection_etag,
        "secrets": secrets,
        "deliveries": deliveries["data"],
        "more_deliveries": bool(deliveries.get("next_cursor")),
        "delivery_status": status if status in DELIVERY_STATUS else "",
        "auditors": auditors,
        "form": {},
        "errors": {},
        "connection_form": {},
        "connection_errors": {},
    }


@router.get("/admin/organismes/{body_id}", include_in_schema=False)
async def body_page(request: Request, body_id: str, api: ApiDep, _person: Admin) -> Response:
    """One certification body."""
    context = await body_context(api, request, body_id)
    done = request.query_params.get("fait")
    return page(
        request,
        "admin/body.html",
        {**context, "done": done, "saved_drafts": "admin-organisme" if done == "cree" else ""},
    )


@router.post("/admin/organismes/{body_id}", include_in_schema=False)
async def edit_body(
    request: Request,
    body_id: str,
    api: ApiDep,
    _person: Admin,
    name: FormText = "",
    accreditation: FormText = "",
    schemes: FormList = [],  # noqa: B006 - FastAPI copies the default
    active: FormText = "",
    etag: FormText = "",
) -> Response:
    """Change the body's name, accreditation, schemes or activity, if unchanged since read."""
    form: dict[str, Any] = {
        "name": clean(name),
        "accreditation": clean(accreditation),
        "schemes": [s for s in schemes if s in SCHEME],
        "active": active == "1",
    }
    errors: dict[str, str] = {}
    if not form["name"]:
        errors["name"] = "Indiquez le nom de l'organisme."
    if not form["schemes"]:
        errors["schemes"] = "Cochez au moins un schéma."
    problem: ApiProblem | None = None
    if not errors:
        try:
            await api.patch(
                f"/v1/certification-bodies/{body_id}",
                {**form, "accreditation": form["accreditation"] or None},
                if_match=etag or None,
            )
            return redirect(f"/admin/organismes/{body_id}?fait=modifie", request=request)
        except ApiProblem as exc:
            problem = form_problem(exc, 412)
            errors = exc.field_messages()
    context = await body_context(api, request, body_id)
    if problem is not None and problem.status == 412:
        problem = ApiProblem(412, "Organisme modifié entre-temps", MODIFIED)
        form, errors = {}, {}
    return page(
        request,
        "admin/body.html",
        {**context, "form": form, "errors": errors, "problem": problem},
        status_code=problem.status if problem else 422,
    )


@router.post("/admin/organismes/{body_id}/connexion", include_in_schema=False)
async def set_connection(
    request: Request,
    body_id: str,
    api: ApiDep,
    _person: Admin,
    api_url: FormText = "",
    token_url: FormText = "",
    client_id: FormText = "",
    client_secret: FormText = "",
    etag: FormText = "",
) -> Response:
    """Connect the body's system (or change its connection, if unchanged since read)."""
    form = {"api_url": clean(api_url), "token_url": clean(token_url), "client_id": clean(client_id)}
    errors: dict[str, str] = {}
    for key, message in (
        ("api_url", "Indiquez l'adresse de l'API de l'organisme (https://…)."),
        ("token_url", "Indiquez l'adresse où obtenir un jeton (https://…)."),
        ("client_id", "Indiquez l'identifiant client fourni par l'organisme."),
    ):
        if not form[key]:
            errors[key] = message
    if len(client_secret) < 8:
        errors["client_secret"] = (
            "Indiquez le secret client fourni par l'organisme (8 caractères au moins)."
        )
    problem: ApiProblem | None = None
    if not errors:
        try:
            await api.put(
                f"/v1/certification-bodies/{body_id}/connection",
                {**form, "client_secret": client_secret},
                if_match=etag or None,
            )
            return redirect(f"/admin/organismes/{body_id}?fait=connecte", request=request)
        except ApiProblem as exc:
            problem = form_problem(exc, 412)
            errors = exc.field_messages()
    context = await body_context(api, request, body_id)
    if problem is not None and problem.status == 412:
        problem = ApiProblem(412, "Connexion modifiée entre-temps", MODIFIED)
        form, errors = {}, {}
    return page(
        request,
        "admin/body.html",
        {
            **context,
            "connection_form": form,
            "connection_errors": errors,
            "connection_problem": problem,
        },
        status_code=problem.status if problem else 422,
    )


@router.post("/admin/organismes/{body_id}/secrets", include_in_schema=False)
async def rotate_secret(
    request: Request, body_id: str, api: ApiDep, _person: Admin, idempotency_key: FormText = ""
) -> Response:
    """A new webhook signing secret, shown this once (the previous one verifies a while longer)."""
    created = await api.post(
        f"/v1/certification-bodies/{body_id}/webhook-secrets",
        idempotency_key=idempotency_key or None,
    )
    context = await body_context(api, request, body_id)
    return page(
        request,
        "admin/body.html",
        {**context, "new_secret": created.body},
        headers={"cache-control": "no-store"},
    )


@router.post(
    "/admin/organismes/{body_id}/livraisons/{delivery_id}/relance", include_in_schema=False
)
async def retry_delivery(
    request: Request,
    body_id: str,
    delivery_id: str,
    api: ApiDep,
    _person: Admin,
    idempotency_key: FormText = "",
) -> Response:
    """Queue a failed delivery again, due now."""
    await api.post(
        f"/v1/certification-bodies/{body_id}/deliveries/{delivery_id}/retry",
        idempotency_key=idempotency_key or None,
    )
    return redirect(f"/admin/organismes/{body_id}?fait=relance#livraisons", request=request)
