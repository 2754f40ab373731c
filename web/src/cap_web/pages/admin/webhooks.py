"""``/admin/webhooks``: the webhook subscriptions (the systems the platform calls when events
happen), one subscription with its delivery log, a delivery replayed, the signing secret.

As for API clients, a signing secret is shown once, in the page answering the creation or the
rotation, never kept by the browser (``Cache-Control: no-store``). A change of a subscription
carries the ETag it was read with (``If-Match``): a change made meanwhile is a 412, and the form
comes back with the current values and "modifié entre-temps".
"""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from cap_web.api import Api, ApiProblem
from cap_web.console import ApiDep, redirect, render
from cap_web.pages.admin.common import Admin
from cap_web.pages.progress.common import FormText, clean, known_ids

router = APIRouter(dependencies=[Depends(known_ids)])

NO_STORE = {"Cache-Control": "no-store"}
SUBSCRIPTION_STATUS = {"active": "Actif", "disabled": "Désactivé"}
DELIVERY_STATUS = {
    "pending": "En attente",
    "delivered": "Livrée",
    "failed": "En échec",
    "cancelled": "Annulée",
}
#: A delivery in these states may be sent again (a pending one is already on its way).
REPLAYABLE = ("delivered", "failed", "cancelled")
DONE = {
    "modifie": "L'abonnement a été modifié.",
    "rejeu": "La livraison est de nouveau en attente : elle sera envoyée dans un instant.",
    "supprime": "L'abonnement a été supprimé ; son journal de livraisons est conservé.",
}


def event_types_of(text: str) -> list[str]:
    """The event types typed, one per comma, space or line, each once, in order."""
    seen: list[str] = []
    for part in clean(text).replace(",", " ").split():
        if part not in seen:
            seen.append(part)
    return seen


def labels() -> dict[str, Any]:
    """The French words of the webhook screens."""
    return {
        "SUBSCRIPTION_STATUS": SUBSCRIPTION_STATUS,
        "DELIVERY_STATUS": DELIVERY_STATUS,
        "REPLAYABLE": REPLAYABLE,
    }


def show(request: Request, template: str, context: dict[str, Any], **kwargs: Any) -> Response:
    """A page of the webhook screens."""
    return render(request, template, {**labels(), **context}, **kwargs)


def read_form(name: str, url: str, event_types: str) -> tuple[dict[str, Any], dict[str, str]]:
    """A subscription as typed, and what is missing in it."""
    form = {
        "name": clean(name)[:200],
        "url": clean(url),
        "event_types": event_types_of(event_types),
    }
    errors: dict[str, str] = {}
    if not form["name"]:
        errors["name"] = "Indiquez le nom de l'abonnement."
    if not form["url"]:
        errors["url"] = "Indiquez l'adresse https:// à appeler."
    if not form["event_types"]:
        errors["event_types"] = "Indiquez au moins un type d'événement, ou * pour tous."
    return form, errors


# -- the subscriptions -------------------------------------------------------------------------
@router.get("/admin/webhooks", include_in_schema=False)
async def webhooks_page(request: Request, api: ApiDep, _person: Admin) -> Response:
    """The subscriptions and the form of a new one."""
    subscriptions = await api.pages("/v1/webhook-subscriptions", most=500)
    return show(
        request,
        "admin/webhooks.html",
        {
            "subscriptions": subscriptions,
            "form": {},
            "done": DONE.get(request.query_params.get("fait") or ""),
        },
    )


@router.post("/admin/webhooks", include_in_schema=False)
async def create_webhook(
    request: Request,
    api: ApiDep,
    _person: Admin,
    name: FormText = "",
    url: FormText = "",
    event_types: FormText = "",
    idempotency_key: FormText = "",
) -> Response:
    """Subscribe a system; the answer shows its signing secret, this one time."""
    form, errors = read_form(name, url, event_types)
    problem: ApiProblem | None = None
    if not errors:
        try:
            answer = await api.post(
                "/v1/webhook-subscriptions", form, idempotency_key=idempotency_key or None
            )
        except ApiProblem as exc:
            if exc.status not in (409, 422):
                raise
            problem, errors = exc, exc.field_messages()
        else:
            return show(
                request,
                "admin/webhooks.html",
                {
                    "subscriptions": await api.pages("/v1/webhook-subscriptions", most=500),
                    "form": {},
                    "secret": answer.body,
                    "created": True,
                    "saved_drafts": "admin-webhook",
                },
                headers=NO_STORE,
            )
    return show(
        request,
        "admin/webhooks.html",
        {
            "subscriptions": await api.pages("/v1/webhook-subscriptions", most=500),
            "form": {**form, "event_types": " ".join(form["event_types"])},
            "errors": errors,
            "problem": problem,
        },
        status_code=problem.status if problem else 422,
    )


# -- one subscription --------------------------------------------------------------------------
async def subscription_context(
    api: Api, subscription_id: str, status: str | None
) -> dict[str, Any]:
    """The subscription (with its ETag) and its delivery log, newest first."""
    wanted = status if status in DELIVERY_STATUS else None
    read, deliveries = await asyncio.gather(
        api.call("GET", f"/v1/webhook-subscriptions/{subscription_id}"),
        api.get(
            f"/v1/webhook-subscriptions/{subscription_id}/deliveries", status=wanted, limit=100
        ),
    )
    subscription = read.body
    return {
        "subscription": subscription,
        "etag": read.etag or "",
        "deliveries": deliveries["data"],
        "more": bool(deliveries.get("next_cursor")),
        "status": wanted,
        "form": {
            "name": subscription["name"],
            "url": subscription["url"],
            "event_types": " ".join(subscription["event_types"]),
            "status": subscription["status"],
        },
    }


@router.get("/admin/webhooks/{subscription_id}", include_in_schema=False)
async def webhook_page(
    request: Request, subscription_id: str, api: ApiDep, _person: Admin
) -> Response:
    """One subscription: its settings, its delivery log (by state), replay, secret."""
    context = await subscription_context(
        api, subscription_id, request.query_params.get("etat") or None
    )
    done = DONE.get(request.query_params.get("fait") or "")
    return show(request, "admin/webhook.html", {**context, "done": done})


@router.post("/admin/webhooks/{subscription_id}/modification", include_in_schema=False)
async def update_webhook(
    request: Request,
    subscription_id: str,
    api: ApiDep,
    _person: Admin,
    name: FormText = "",
    url: FormText = "",
    event_types: FormText = "",
    status: FormText = "",
    etag: FormText = "",
    idempotency_key: FormText = "",
) -> Response:
    """Change the subscription with the ETag it was shown with (412: changed meanwhile)."""
    del idempotency_key  # a PATCH with If-Match is safe to repeat
    form, errors = read_form(name, url, event_types)
    if status not in SUBSCRIPTION_STATUS:
        errors["status"] = "Choisissez l'état : actif ou désactivé."
    problem: ApiProblem | None = None
    if not errors:
        try:
            await api.patch(
                f"/v1/webhook-subscriptions/{subscription_id}",
                {**form, "status": status},
                if_match=etag or None,
            )
        except ApiProblem as exc:
            if exc.status not in (409, 412, 422):
                raise
            problem, errors = exc, exc.field_messages()
        else:
            return redirect(f"/admin/webhooks/{subscription_id}?fait=modifie", request=request)
    context = await subscription_context(api, subscription_id, None)
    if problem is not None and problem.status == 412:
        # Changed meanwhile: the current values, and what happened.
        return show(request, "admin/webhook.html", {**context, "stale": True}, status_code=412)
    typed = {**form, "event_types": " ".join(form["event_types"]), "status": status}
    return show(
        request,
        "admin/webhook.html",
        {**context, "form": typed, "errors": errors, "problem": problem},
        status_code=problem.status if problem else 422,
    )


@router.post(
    "/admin/webhooks/{subscription_id}/livraisons/{delivery_id}/rejeu", include_in_schema=False
)
async def replay_delivery(
    request: Request,
    subscription_id: str,
    delivery_id: str,
    api: ApiDep,
    _person: Admin,
    idempotency_key: FormText = "",
) -> Response:
    """Send a delivery again (it is pending again, attempted at once)."""
    try:
        await api.post(
            f"/v1/webhook-subscriptions/{subscription_id}/deliveries/{delivery_id}/replay",
            idempotency_key=idempotency_key or None,
        )
    except ApiProblem as exc:
        if exc.status != 409:
            raise
        context = await subscription_context(api, subscription_id, None)
        return show(
            request, "admin/webhook.html", {**context, "replay_problem": exc}, status_code=409
        )
    return redirect(f"/admin/webhooks/{subscription_id}?fait=rejeu", request=request)


@router.post("/admin/webhooks/{subscription_id}/secret", include_in_schema=False)
async def rotate_webhook_secret(
    request: Request,
    subscription_id: str,
    api: ApiDep,
    _person: Admin,
    idempotency_key: FormText = "",
) -> Response:
    """A new signing secret, shown this one time; the next attempts are signed with it."""
    answer = await api.post(
        f"/v1/webhook-subscriptions/{subscription_id}/rotate-secret",
        idempotency_key=idempotency_key or None,
    )
    context = await subscription_context(api, subscription_id, None)
    return show(request, "admin/webhook.html", {**context, "secret": answer.body}, headers=NO_STORE)


@router.post("/admin/webhooks/{subscription_id}/suppression", include_in_schema=False)
async def delete_webhook(
    request: Request,
    subscription_id: str,
    api: ApiDep,
    _person: Admin,
    idempotency_key: FormText = "",
) -> Response:
    """Unsubscribe: pending deliveries are cancelled, the log is kept."""
    del idempotency_key  # a DELETE is idempotent by itself
    await api.delete(f"/v1/webhook-subscriptions/{subscription_id}")
    return redirect("/admin/webhooks?fait=supprime", request=request)
