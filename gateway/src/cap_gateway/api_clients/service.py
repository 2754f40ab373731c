"""Use cases on API clients: certification bodies' systems, registered by an admin."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from cap_gateway.api_clients.repository import ApiClientRepository
from cap_gateway.api_clients.schemas import ApiClientCreate, ApiClientCreated, ApiClientPublic
from cap_gateway.audit_trail import api_client_state, audit
from cap_gateway.auth.passwords import new_secret, secret_digest
from cap_gateway.models import ApiClient
from cap_shared import clock
from cap_shared.pagination import Page
from cap_shared.problems import Conflict, NotFound
from cap_shared.security import Principal


def _client_public(client: ApiClient) -> ApiClientPublic:
    return ApiClientPublic.model_validate(client, from_attributes=True)


async def create_api_client(
    session: AsyncSession, *, principal: Principal, data: ApiClientCreate
) -> ApiClientCreated:
    """Register a certification body's system; its secret is shown once."""
    secret = new_secret()
    client = ApiClient(
        id=str(uuid.uuid4()),
        client_id=f"cb_{uuid.uuid4().hex[:20]}",
        name=data.name,
        secret_hash=secret_digest(secret),
        scopes=sorted({s.value for s in data.scopes}),
        certification_body_id=data.certification_body_id,
        created_by=principal.subject,
    )
    await ApiClientRepository(session).add(client)
    await audit(
        session,
        action="api_client.created",
        record_type="api_client",
        record_id=client.id,
        after=api_client_state(client),
        on_behalf_of=client.certification_body_id,
    )
    return ApiClientCreated(**_client_public(client).model_dump(), client_secret=secret)


async def list_api_clients(
    session: AsyncSession, *, cursor: str | None, limit: int
) -> Page[ApiClientPublic]:
    """Registered API clients, newest first."""
    rows, next_cursor = await ApiClientRepository(session).api_clients(cursor=cursor, limit=limit)
    return Page[ApiClientPublic](data=[_client_public(c) for c in rows], next_cursor=next_cursor)


async def _client(repository: ApiClientRepository, api_client_id: str) -> ApiClient:
    client = await repository.api_client(api_client_id=api_client_id)
    if client is None:
        raise NotFound(
            f"no API client {api_client_id}", detail_fr=f"aucun client d'API {api_client_id}"
        )
    return client


async def get_api_client(session: AsyncSession, *, api_client_id: str) -> ApiClientPublic:
    """One API client."""
    return _client_public(await _client(ApiClientRepository(session), api_client_id))


async def rotate_api_client_secret(
    session: AsyncSession, *, api_client_id: str
) -> ApiClientCreated:
    """Replace the secret (the old one stops working at once); shown once."""
    client = await _client(ApiClientRepository(session), api_client_id)
    if client.revoked_at is not None:
        raise Conflict("this API client is revoked", detail_fr="ce client d'API est révoqué")
    secret = new_secret()
    client.secret_hash = secret_digest(secret)
    state = api_client_state(client)
    await audit(
        session,
        action="api_client.rotated",
        record_type="api_client",
        record_id=client.id,
        before=state,
        after={**state, "secret_rotated_at": clock.now()},
        on_behalf_of=client.certification_body_id,
    )
    return ApiClientCreated(**_client_public(client).model_dump(), client_secret=secret)


async def revoke_api_client(session: AsyncSession, *, api_client_id: str) -> None:
    """Revoke a client: it gets no new token (tokens already issued expire within minutes)."""
    client = await _client(ApiClientRepository(session), api_client_id)
    if client.revoked_at is None:
        before = api_client_state(client)
        client.revoked_at = clock.now()
        await audit(
            session,
            action="api_client.revoked",
            record_type="api_client",
            record_id=client.id,
            before=before,
            after=api_client_state(client),
            on_behalf_of=client.certification_body_id,
        )
