"""Routes of API clients: certification bodies' systems, managed by administrators."""

from __future__ import annotations

from fastapi import APIRouter, status

from cap_gateway.accounts.routes import ROUTER_ERRORS
from cap_gateway.api_clients import service as api_client_service
from cap_gateway.api_clients.schemas import ApiClientCreate, ApiClientCreated, ApiClientPublic
from cap_shared.deps import SessionDep
from cap_shared.pagination import DEFAULT_PAGE_SIZE, Page, PageCursor, PageLimit
from cap_shared.routes import AdminDep, Id

router = APIRouter(prefix="/v1/api-clients", tags=["api-clients"], responses=ROUTER_ERRORS)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ApiClientCreated)
async def create_api_client(
    data: ApiClientCreate, principal: AdminDep, session: SessionDep
) -> ApiClientCreated:
    """Register a certification body's system; the secret is shown in this answer only."""
    return await api_client_service.create_api_client(session, principal=principal, data=data)


@router.get("", response_model=Page[ApiClientPublic])
async def list_api_clients(
    _admin: AdminDep,
    session: SessionDep,
    limit: PageLimit = DEFAULT_PAGE_SIZE,
    cursor: PageCursor = None,
) -> Page[ApiClientPublic]:
    """Registered API clients (revoked ones included), newest first."""
    return await api_client_service.list_api_clients(session, cursor=cursor, limit=limit)


@router.get("/{api_client_id}", response_model=ApiClientPublic)
async def read_api_client(
    api_client_id: Id, _admin: AdminDep, session: SessionDep
) -> ApiClientPublic:
    """One API client."""
    return await api_client_service.get_api_client(session, api_client_id=api_client_id)


@router.post(
    "/{api_client_id}/secret",
    response_model=ApiClientCreated,
    responses={409: {"description": "The client is revoked"}},
)
async def rotate_api_client_secret(
    api_client_id: Id, _admin: AdminDep, session: SessionDep
) -> ApiClientCreated:
    """Issue a new secret; the old one stops working at once."""
    return await api_client_service.rotate_api_client_secret(session, api_client_id=api_client_id)


@router.delete("/{api_client_id}", status_code=status.HTTP_204_NO_CONTENT)
async def revoke_api_client(api_client_id: Id, _admin: AdminDep, session: SessionDep) -> None:
    """Revoke a client."""
    await api_client_service.revoke_api_client(session, api_client_id=api_client_id)
