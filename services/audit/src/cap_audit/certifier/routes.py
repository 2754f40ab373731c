"""Routes of the certification-body integration: bodies' signed webhooks, the published
contract, and (admin) their secrets, connection and deliveries."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response, status

from cap_audit.certifier import service, webhooks
from cap_audit.certifier.contract import openapi_document
from cap_audit.certifier.schemas import (
    BodyDeliveryPage,
    ConnectionPublic,
    ConnectionUpdate,
    ContractDocument,
    DeliveryPublic,
    SecretCreated,
    SecretPublic,
    WebhookReceipt,
)
from cap_audit.deps import BodyId, ExpectedDep, SettingsDep
from cap_shared.conditional import etag_of
from cap_shared.deps import RuntimeDep, SessionDep
from cap_shared.pagination import DEFAULT_PAGE_SIZE, Page, PageCursor, PageLimit
from cap_shared.routes import LIST_ERRORS, AdminDep, Id, errors
from cap_shared.security import Public

certifier = APIRouter(prefix="/v1/certifier", tags=["certifier"])
secrets = APIRouter(
    prefix="/v1/certification-bodies",
    tags=["certification-bodies"],
    responses=errors(
        404,
        409,
        described={
            404: "Unknown certification body, or delivery",
            409: "Not possible in the current state (a delivered delivery)",
        },
    ),
)
#: What a body's webhook may be answered besides 200 (applied, or "duplicate": true).
_WEBHOOK_ANSWERS: dict[int | str, dict[str, Any]] = {
    400: {"description": "Not JSON, or not a known webhook event (errors[] names the fields)"},
    401: {"description": "Unknown body, bad or stale signature, or missing webhook headers"},
    404: {"description": "The audit or finding named is not one of the body's"},
    409: {"description": "Out of order for the audit (the body may send it again later)"},
    413: {"description": "Larger than AUDIT_WEBHOOK_MAX_BYTES"},
}


@certifier.post(
    "/webhooks/{body_id}",
    dependencies=[Public],
    responses=_WEBHOOK_ANSWERS,
    response_model=WebhookReceipt,
    response_model_exclude_none=True,
)
async def receive_webhook(
    body_id: BodyId,
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    settings: SettingsDep,
) -> dict[str, Any]:
    """A certification body's signed webhook (Standard Webhooks): see
    ``GET /v1/certifier/openapi.json`` for the events. 401 on a bad or stale signature; a
    webhook id already applied answers 200 with ``duplicate: true``."""
    raw = bytearray()
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > settings.webhook_max_bytes:
            raise webhooks.PayloadTooLarge(
                f"webhooks are limited to {settings.webhook_max_bytes} bytes",
                detail_fr=f"les webhooks sont limités à {settings.webhook_max_bytes} octets",
            )
    headers = {k.lower(): v for k, v in request.headers.items() if k.lower().startswith("webhook-")}
    return await webhooks.receive(session, body_id, bytes(raw), headers, settings, runtime.clock)


@certifier.get("/openapi.json", dependencies=[Public], response_model=ContractDocument)
async def contract() -> dict[str, Any]:
    """The published contract: the webhooks a certification body sends to the platform."""
    return openapi_document()


@secrets.post(
    "/{body_id}/webhook-secrets", status_code=status.HTTP_201_CREATED, response_model=SecretCreated
)
async def rotate_secret(
    body_id: BodyId,
    _principal: AdminDep,
    session: SessionDep,
    runtime: RuntimeDep,
    settings: SettingsDep,
) -> SecretCreated:
    """Issue a new webhook signing secret for the body (admin). The previous one keeps
    verifying during the overlap (``AUDIT_WEBHOOK_SECRET_OVERLAP_S``, 24 h by default)."""
    return await service.rotate_secret(session, body_id, settings=settings, clock=runtime.clock)


@secrets.get("/{body_id}/webhook-secrets", response_model=Page[SecretPublic], responses=LIST_ERRORS)
async def list_secrets(
    body_id: BodyId,
    _principal: AdminDep,
    session: SessionDep,
    cursor: PageCursor = None,
    limit: PageLimit = DEFAULT_PAGE_SIZE,
) -> Page[SecretPublic]:
    """The body's secrets and until when they verify (values are never shown again), oldest
    first."""
    return await service.secrets_page(session, body_id, cursor=cursor, limit=limit)


@secrets.put("/{body_id}/connection", response_model=ConnectionPublic)
async def set_connection(
    body_id: BodyId,
    data: ConnectionUpdate,
    _principal: AdminDep,
    session: SessionDep,
    settings: SettingsDep,
    precondition: ExpectedDep,
    response: Response,
) -> ConnectionPublic:
    """How the platform reaches the body's system: API base URL, OAuth2 token endpoint, the
    client credentials it gave us (the secret is stored encrypted, never shown again). Audit
    requests are then sent to it. With If-Match (the ETag of ``GET``), only if the connection
    did not change since (412); the answer's ETag is the new one."""
    out = service.connection_public(
        await service.set_connection(
            session, body_id, data=data, settings=settings, precondition=precondition
        )
    )
    response.headers["ETag"] = etag_of(out)
    return out


@secrets.get("/{body_id}/connection", response_model=ConnectionPublic)
async def get_connection(
    body_id: BodyId, _principal: AdminDep, session: SessionDep
) -> ConnectionPublic:
    """The body's connection (without its secret)."""
    return service.connection_public(await service.get_connection(session, body_id))


@secrets.get("/{body_id}/deliveries", response_model=BodyDeliveryPage, responses=LIST_ERRORS)
async def list_deliveries(
    body_id: BodyId,
    _principal: AdminDep,
    session: SessionDep,
    status_: Annotated[
        Literal["pending", "delivered", "failed"] | None,
        Query(alias="status", description="Only deliveries in this state"),
    ] = None,
    audit_id: Annotated[
        str | None,
        Query(max_length=36, pattern=r"^[^\x00-\x1f\x7f]+$", description="Only this audit's"),
    ] = None,
    cursor: PageCursor = None,
    limit: PageLimit = DEFAULT_PAGE_SIZE,
) -> BodyDeliveryPage:
    """What was sent (or is waiting) to the body's system, with every attempt, newest first."""
    return await service.deliveries(
        session, body_id, status=status_, audit_id=audit_id, cursor=cursor, limit=limit
    )


@secrets.post("/{body_id}/deliveries/{delivery_id}/retry", response_model=DeliveryPublic)
async def retry_delivery(
    body_id: BodyId,
    delivery_id: Id,
    _principal: AdminDep,
    session: SessionDep,
    runtime: RuntimeDep,
) -> DeliveryPublic:
    """Queue a failed delivery again, due now (the same Idempotency-Key is sent)."""
    delivery = await service.retry(
        session, body_id, delivery_id=delivery_id, now=runtime.clock.now()
    )
    return await service.delivery_public(session, delivery)


ROUTERS = (certifier, secrets)
