"""``/admin/clients-api``: the certification bodies' systems that call the API (API clients).

The secret is shown **once**: in the page answering the creation or the rotation (never put in
an address, never read again: the API itself gives it only in those two answers), with
``Cache-Control: no-store`` so that the browser keeps no copy of that page.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from cap_web.api import Api, ApiProblem
from cap_web.console import ApiDep, redirect, render
from cap_web.pages.admin.common import Admin
from cap_web.pages.progress.common import FormText, clean, known_ids

router = APIRouter(dependencies=[Depends(known_ids)])

#: What an API client may do (the API's ``Scope``), in French: short (the list), in full (the form).
SCOPES = {
    "audits:read": "Lecture des audits",
    "audits:write": "Saisie des audits",
    "certifications:write": "Décisions de certification",
}
SCOPES_IN_FULL = {
    "audits:read": "Lire les audits qui lui sont confiés",
    "audits:write": "Enregistrer les audits (plan, constats, rapport)",
    "certifications:write": "Transmettre ses décisions de certification",
}
#: Pages that show a secret are never stored by the browser.
NO_STORE = {"Cache-Control": "no-store"}
DONE = {
    "revoque": "Le client a été révoqué : ses jetons ne sont plus acceptés.",
}


async def clients_context(api: Api) -> dict[str, Any]:
    """The clients (revoked ones included) and the certification bodies they may belong to."""
    clients, bodies = await asyncio.gather(
        api.pages("/v1/api-clients", most=500), api.pages("/v1/certification-bodies", most=500)
    )
    return {
        "clients": clients,
        "bodies": {b["id"]: b.get("name") or b["id"] for b in bodies},
        "SCOPES": SCOPES,
        "SCOPES_IN_FULL": SCOPES_IN_FULL,
    }


def show(request: Request, context: dict[str, Any], **kwargs: Any) -> Response:
    """The page of the clients."""
    return render(request, "admin/api_clients.html", context, **kwargs)


@router.get("/admin/clients-api", include_in_schema=False)
async def api_clients_page(request: Request, api: ApiDep, _person: Admin) -> Response:
    """The API clients and the form registering a new one."""
    context = await clients_context(api)
    done = DONE.get(request.query_params.get("fait") or "")
    return show(request, {**context, "form": {"scopes": []}, "done": done})


@router.post("/admin/clients-api", include_in_schema=False)
async def create_api_client(
    request: Request,
    api: ApiDep,
    _person: Admin,
    name: FormText = "",
    certification_body_id: FormText = "",
    scopes: Annotated[list[str] | None, Form()] = None,
    idempotency_key: FormText = "",
) -> Response:
    """Register a client; the answer shows its secret, this one time."""
    chosen = [s for s in scopes or [] if s in SCOPES]
    form: dict[str, Any] = {
        "name": clean(name)[:200],
        "certification_body_id": clean(certification_body_id),
        "scopes": chosen,
    }
    errors: dict[str, str] = {}
    if not form["name"]:
        errors["name"] = "Indiquez le nom du client (le système de l'organisme)."
    if not form["certification_body_id"]:
        errors["certification_body_id"] = "Choisissez l'organisme certificateur."
    if not chosen:
        errors["scopes"] = "Cochez au moins un droit."
    problem: ApiProblem | None = None
    if not errors:
        try:
            answer = await api.post(
                "/v1/api-clients",
                {
                    "name": form["name"],
                    "certification_body_id": form["certification_body_id"],
                    "scopes": chosen,
                },
                idempotency_key=idempotency_key or None,
            )
        except ApiProblem as exc:
            if exc.status not in (404, 409, 422):
                raise
            problem, errors = exc, exc.field_messages()
        else:
            context = await clients_context(api)
            return show(
                request,
                {
                    **context,
                    "form": {"scopes": []},
                    "secret": answer.body,
                    "created": True,
                    "saved_drafts": "admin-client-api",
                },
                headers=NO_STORE,
            )
    context = await clients_context(api)
    return show(
        request,
        {**context, "form": form, "errors": errors, "problem": problem},
        status_code=problem.status if problem else 422,
    )


@router.post("/admin/clients-api/{client_id}/secret", include_in_schema=False)
async def rotate_api_client_secret(
    request: Request, client_id: str, api: ApiDep, _person: Admin, idempotency_key: FormText = ""
) -> Response:
    """A new secret for the client (the old one stops working at once), shown this one time."""
    try:
        answer = await api.post(
            f"/v1/api-clients/{client_id}/secret", idempotency_key=idempotency_key or None
        )
    except ApiProblem as exc:
        if exc.status != 409:
            raise
        context = await clients_context(api)
        return show(
            request,
            {**context, "form": {"scopes": []}, "problem": exc},
            status_code=409,
        )
    context = await clients_context(api)
    return show(
        request,
        {**context, "form": {"scopes": []}, "secret": answer.body, "created": False},
        headers=NO_STORE,
    )


@router.post("/admin/clients-api/{client_id}/revocation", include_in_schema=False)
async def revoke_api_client(
    request: Request, client_id: str, api: ApiDep, _person: Admin, idempotency_key: FormText = ""
) -> Response:
    """Revoke the client: its tokens are refused from now on."""
    del idempotency_key  # a DELETE is idempotent by itself
    await api.delete(f"/v1/api-clients/{client_id}")
    return redirect("/admin/clients-api?fait=revoque", request=request)
