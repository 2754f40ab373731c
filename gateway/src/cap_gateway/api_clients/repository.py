"""Every query on API clients."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from cap_gateway.models import ApiClient
from cap_shared.pagination import newest_first

#: The list's stable order (its name is bound into its cursors).
API_CLIENTS = newest_first("gateway.api-clients", col(ApiClient.created_at), col(ApiClient.id))


class ApiClientRepository:
    """Certification bodies' systems, found by row id or by the id they authenticate with."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, row: ApiClient) -> None:
        """Insert a row (flushed, so constraint violations raise here)."""
        self.session.add(row)
        await self.session.flush()

    async def api_client(self, *, api_client_id: str) -> ApiClient | None:
        """One API client by its row id, or None."""
        return await self.session.get(ApiClient, api_client_id)

    async def api_client_by_client_id(self, *, client_id: str) -> ApiClient | None:
        """The API client authenticating as ``client_id``, or None."""
        result = await self.session.execute(
            sa.select(ApiClient).where(col(ApiClient.client_id) == client_id)
        )
        return result.scalar_one_or_none()

    async def api_clients(
        self, *, cursor: str | None, limit: int
    ) -> tuple[list[ApiClient], str | None]:
        """A page of API clients, newest first."""
        return await API_CLIENTS.fetch(
            self.session, sa.select(ApiClient), cursor=cursor, limit=limit
        )
