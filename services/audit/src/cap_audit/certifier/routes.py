"""HTTP routes of the certification-body integration."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field

from cap_audit.certifier import connector, webhooks
from cap_audit.certifier.contract import openapi_document
from cap_audit.deps import SettingsDep
from cap_audit.models import BodyConnection, CertificationBody
from cap_audit.repository import AuditRepository
from cap_shared.conditional import IfMatch, Precondition, etag_of
from cap_shared.deps import RuntimeDep, SessionDep
from cap_shared.pagination import DEFAULT_PAGE_SIZE, Page, PageCursor, PageLimit
from cap_shared.problems import NotFound
from cap_shared.security import Allow, Principal, Public, Role

BodyId = Annotated[str, Path(max_length=60, pattern=r"^[a-z0-9][a-z0-9\-]*$")]
Admin = Annotated[Principal, Depends(Allow(Role.ADMIN))]

#: What a list answers besides its page.
LIST_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "The cursor is not one of this list's (invalid-cursor)"},
}

certifier = APIRouter(prefix="/v1/certifier", tags=["certifier"])
secrets = APIRouter(
    prefix="/v1/certification-bodies",
    tags=["certification-bodies"],
    responses={
        404: {"description": "Unknown certification body, or delivery"},
        409: {"description": "Not possible in the current state (a delivered delivery)"},
    },
)
#: What a body's webhook may be answered besides 200 (applied, or "duplicate": true).
_WEBHOOK_ANSWERS: dict[int | str, dict[str, Any]] = {
    400: {"description": "Not JSON, or not a known webhook event (errors[] names the fields)"},
    401: {"description": "Unknown body, bad or stale signature, or missing webhook headers"},
    404: {"description": "The audit or finding named is not one of the body's"},
    409: {"description": "Out of order for the audit (the body may send it again later)"},
    413: {"description": "Larger than AUDIT_WEBHOOK_MAX_BYTES"},
}


class WebhookReceipt(BaseModel):
    """A webhook applied (or recognised as already applied: ``duplicate``), and what it did."""

    webhook_id: str
    duplicate: bool
    type: str | None = Field(default=None, description="The event type, when applied now")
    audit_id: str | None = None
    finding_id: str | None = None
    status: str | None = Field(default=None, description="The audit's or finding's new status")
    outcome: str | None = Field(default=None, description="The decision recorded")


class ContractDocument(BaseModel):
    """An OpenAPI 3.1 document (its ``webhooks`` are the events a body sends)."""

    model_config = ConfigDict(extra="allow")

    openapi: str
    info: dict[str, Any]
    webhooks: dict[str, Any] = {}


class SecretOut(BaseModel):
    id: str
    created_at: datetime
    expires_at: datetime | None


class SecretCreated(SecretOut):
    """The new secret, shown once: give it to the body's system."""

    secret: str


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
    _principal: Admin,
    session: SessionDep,
    runtime: RuntimeDep,
    settings: SettingsDep,
) -> SecretCreated:
    """Issue a new webhook signing secret for the body (admin). The previous one keeps
    verifying during the overlap (``AUDIT_WEBHOOK_SECRET_OVERLAP_S``, 24 h by default)."""
    row, plain = await webhooks.rotate_secret(session, body_id, settings, runtime.clock)
    return SecretCreated(
        id=row.id, created_at=row.created_at, expires_at=row.expires_at, secret=plain
    )


@secrets.get("/{body_id}/webhook-secrets", response_model=Page[SecretOut], responses=LIST_ERRORS)
async def list_secrets(
    body_id: BodyId,
    _principal: Admin,
    session: SessionDep,
    cursor: PageCursor = None,
    limit: PageLimit = DEFAULT_PAGE_SIZE,
) -> Page[SecretOut]:
    """The body's secrets and until when they verify (values are never shown again), oldest
    first."""
    if await AuditRepository(session).get(CertificationBody, body_id) is None:
        raise NotFound("no such certification body", detail_fr="organisme certificateur inconnu")
    rows, next_cursor = await AuditRepository(session).secrets_page(
        body_id, cursor=cursor, limit=limit
    )
    return Page[SecretOut](
        data=[SecretOut(id=s.id, created_at=s.created_at, expires_at=s.expires_at) for s in rows],
        next_cursor=next_cursor,
    )


@secrets.put("/{body_id}/connection", response_model=connector.ConnectionOut)
async def set_connection(
    body_id: BodyId,
    data: connector.ConnectionIn,
    _principal: Admin,
    session: SessionDep,
    settings: SettingsDep,
    precondition: Annotated[Precondition, Depends(IfMatch(required=False))],
    response: Response,
) -> connector.ConnectionOut:
    """How the platform reaches the body's system: API base URL, OAuth2 token endpoint, the
    client credentials it gave us (the secret is stored encrypted, never shown again). Audit
    requests are then sent to it. With If-Match (the ETag of ``GET``), only if the connection
    did not change since (412); the answer's ETag is the new one."""
    out = connector.connection_out(
        await connector.set_connection(session, body_id, data, settings, precondition)
    )
    response.headers["ETag"] = etag_of(out)
    return out


@secrets.get("/{body_id}/connection", response_model=connector.ConnectionOut)
async def get_connection(
    body_id: BodyId, _principal: Admin, session: SessionDep
) -> connector.ConnectionOut:
    """The body's connection (without its secret)."""
    found = await AuditRepository(session).get(BodyConnection, body_id)
    if found is None:
        raise NotFound("this body is not connected", detail_fr="cet organisme n'est pas connecté")
    return connector.connection_out(found)


@secrets.get(
    "/{body_id}/deliveries", response_model=connector.BodyDeliveryPage, responses=LIST_ERRORS
)
async def list_deliveries(
    body_id: BodyId,
    _principal: Admin,
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
) -> connector.BodyDeliveryPage:
    """What was sent (or is waiting) to the body's system, with every attempt, newest first."""
    return await connector.deliveries(
        session, body_id, status=status_, audit_id=audit_id, cursor=cursor, limit=limit
    )


@secrets.post("/{body_id}/deliveries/{delivery_id}/retry", response_model=connector.DeliveryOut)
async def retry_delivery(
    body_id: BodyId,
    delivery_id: Annotated[str, Path(max_length=36, pattern=r"^[^\x00-\x1f\x7f]+$")],
    _principal: Admin,
    session: SessionDep,
    runtime: RuntimeDep,
) -> connector.DeliveryOut:
    """Queue a failed delivery again, due now (the same Idempotency-Key is sent)."""
    delivery = await connector.retry(session, body_id, delivery_id, runtime.clock.now())
    return await connector.delivery_out(session, delivery)


ROUTERS = (certifier, secrets)
