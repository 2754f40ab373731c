"""Every query of the recognitions import and of the IAF CertSearch export."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from cap_labelling.models import ImportRun, Organisation, Recognition, RecognitionChange
from cap_shared.pagination import Keyset, key

#: Newest first (at, id descending).
RUN_KEYS = Keyset(
    "recognition-imports",
    key(col(ImportRun.at), datetime, descending=True),
    key(col(ImportRun.id), str, descending=True),
)


class ImportRepository:
    """Structures and recognitions as the import checks them, and the import runs."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def lock(self) -> None:
        """One import at a time (PostgreSQL): its checks must still hold when it commits."""
        if self.session.get_bind().dialect.name == "postgresql":
            await self.session.execute(
                sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtext("cap_labelling.import")))
            )

    async def organisations_by_siret(self, *, sirets: set[str]) -> dict[str, list[Organisation]]:
        """The registered structures of each SIRET (none, one, or several)."""
        found: dict[str, list[Organisation]] = {s: [] for s in sirets}
        if sirets:
            query = sa.select(Organisation).where(col(Organisation.siret).in_(sorted(sirets)))
            for organisation in (await self.session.execute(query)).scalars():
                found[organisation.siret].append(organisation)
        return found

    async def by_number(self, *, numbers: set[str]) -> dict[str, Recognition]:
        """The recognitions already under these numbers, by number."""
        if not numbers:
            return {}
        query = sa.select(Recognition).where(col(Recognition.number).in_(sorted(numbers)))
        return {r.number: r for r in (await self.session.execute(query)).scalars()}

    async def in_force(
        self, *, organisation_ids: set[str], statuses: Sequence[str]
    ) -> dict[tuple[str, str], Recognition]:
        """These structures' recognitions in ``statuses``, by (structure, scheme)."""
        if not organisation_ids:
            return {}
        query = sa.select(Recognition).where(
            col(Recognition.organisation_id).in_(sorted(organisation_ids)),
            col(Recognition.status).in_(list(statuses)),
        )
        return {
            (r.organisation_id, r.scheme): r for r in (await self.session.execute(query)).scalars()
        }

    async def history(self, *, recognition_ids: list[str]) -> dict[str, list[RecognitionChange]]:
        """Each recognition's history, oldest first, in one query (as the recognitions read it)."""
        found: dict[str, list[RecognitionChange]] = {i: [] for i in recognition_ids}
        if recognition_ids:
            query = (
                sa.select(RecognitionChange)
                .where(col(RecognitionChange.recognition_id).in_(recognition_ids))
                .order_by(col(RecognitionChange.at), col(RecognitionChange.id))
            )
            for change in (await self.session.execute(query)).scalars():
                found[change.recognition_id].append(change)
        return found

    async def save(self, run: ImportRun | None) -> None:
        """Keep the run (if any) and flush what the import wrote."""
        if run is not None:
            self.session.add(run)
        await self.session.flush()

    async def runs(self, *, cursor: str | None, limit: int) -> tuple[list[ImportRun], str | None]:
        """A page of the past imports, newest first."""
        return await RUN_KEYS.fetch(self.session, sa.select(ImportRun), cursor=cursor, limit=limit)

    async def of_schemes(self, *, schemes: Sequence[str]) -> list[Recognition]:
        """Every recognition of these schemes, whatever its status."""
        query = sa.select(Recognition).where(col(Recognition.scheme).in_(list(schemes)))
        return list((await self.session.execute(query)).scalars())

    async def organisations(self, *, ids: Sequence[str]) -> dict[str, Organisation]:
        """These structures, by id."""
        query = sa.select(Organisation).where(col(Organisation.id).in_(list(ids)))
        return {o.id: o for o in (await self.session.execute(query)).scalars()}
