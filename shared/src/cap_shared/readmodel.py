"""Read models: a service's local copy of what another service publishes.

A service never asks another one at request time; it keeps, from events, the columns it needs
(docs/architecture.md#read-models). Every such copy is stored the same way: events may be
redelivered or arrive late, so a save replaces the row, and a versioned save keeps the newest.
Every service keeps the member structures it serves; :func:`organisation_projection` is that
handler, written once.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel

from cap_shared.contracts import Envelope
from cap_shared.contracts.identity import OrganisationRegisteredV1
from cap_shared.inbox import EventHandler

RowT = TypeVar("RowT", bound=SQLModel)


class ReadModelRepository(Generic[RowT]):
    """The rows of one read model, by primary key."""

    def __init__(self, session: AsyncSession, model: type[RowT]) -> None:
        self.session = session
        self.model = model

    async def get(self, key: Any, *, for_update: bool = False) -> RowT | None:
        """One row, or None; ``for_update`` locks it until the transaction ends."""
        return await self.session.get(self.model, key, with_for_update=for_update)

    async def save(self, row: RowT) -> RowT:
        """Insert or replace the row (an event may be delivered more than once)."""
        merged = await self.session.merge(row)
        await self.session.flush()
        return merged

    async def save_if_newer(self, row: RowT, *, version: str) -> bool:
        """Insert or replace the row unless the stored one is as recent or more, by its
        ``version`` column (a late event changes nothing); True when it was written."""
        stored = await self.get(getattr(row, self._key()), for_update=True)
        if stored is not None and getattr(stored, version) >= getattr(row, version):
            return False
        await self.save(row)
        return True

    def _key(self) -> str:
        """The name of the model's single primary-key column."""
        (column,) = self.model.__table__.primary_key.columns  # type: ignore[attr-defined]
        return str(column.key)


def organisation_projection(model: type[RowT]) -> EventHandler:
    """The handler of ``identity.organisation.registered.v1`` that keeps, in ``model``, the
    structure's fields the model declares (``id`` is the event's ``organisation_id``)."""
    columns = set(model.model_fields)

    async def on_organisation_registered(
        session: AsyncSession, _envelope: Envelope, event: OrganisationRegisteredV1
    ) -> None:
        """Keep the new member structure in the local read model."""
        values = event.model_dump(mode="python")
        values["id"] = values.pop("organisation_id")
        kept = {name: value for name, value in values.items() if name in columns}
        await ReadModelRepository(session, model).save(model(**kept))

    return on_organisation_registered


__all__ = ["ReadModelRepository", "organisation_projection"]
