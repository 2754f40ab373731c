"""The in-transaction layer: a route claims its key in the transaction of its work, and the
row holds the answer once the work commits (:class:`Idempotency`)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from fastapi import Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncSession

from cap_shared.clock import wall_now
from cap_shared.db.types import AwareDateTime
from cap_shared.idempotency.keys import (
    MAX_KEY_LENGTH,
    REPLAYED_HEADER,
    RETENTION,
    IdempotencyKeyReused,
    parse_key,
)


def idempotency_table(metadata: sa.MetaData) -> sa.Table:
    """Declare the ``idempotency_key`` table in a service's metadata."""
    return sa.Table(
        "idempotency_key",
        metadata,
        sa.Column("subject", sa.String(200), primary_key=True),
        sa.Column("key", sa.String(MAX_KEY_LENGTH), primary_key=True),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("status_code", sa.Integer, nullable=True),
        sa.Column("body", sa.Text, nullable=True),
        sa.Column("headers", sa.Text, nullable=True),
        sa.Column("created_at", AwareDateTime, nullable=False),
    )


def fingerprint(request: Request, payload: Any) -> str:
    """What makes two requests "the same": method, path and the parsed body."""
    data = json.dumps(
        [request.method, request.url.path, jsonable_encoder(payload)],
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(data.encode()).hexdigest()


@dataclass
class Idempotency:
    """One request's claim on its key (or nothing to do when the client sent no key)."""

    table: sa.Table
    session: AsyncSession
    subject: str
    key: str | None
    fingerprint: str

    async def replay(self) -> JSONResponse | None:
        """The stored answer of an earlier identical request, or None after claiming the key."""
        if self.key is None:
            return None
        self.key = parse_key(self.key)
        t = self.table
        inserted = await self.session.execute(
            insert_ignore(self.session, t).values(
                subject=self.subject,
                key=self.key,
                fingerprint=self.fingerprint,
                created_at=wall_now(),
            )
        )
        if inserted.rowcount == 1:  # type: ignore[attr-defined]
            return None
        row = (
            await self.session.execute(
                sa.select(t.c.fingerprint, t.c.status_code, t.c.body, t.c.headers).where(
                    t.c.subject == self.subject, t.c.key == self.key
                )
            )
        ).one()
        if row.fingerprint != self.fingerprint:
            raise IdempotencyKeyReused(
                "this Idempotency-Key was used for a different request; use a new key",
                detail_fr="cette Idempotency-Key a servi à une autre requête ; "
                "utilisez-en une nouvelle",
            )
        headers = json.loads(row.headers or "{}")
        headers[REPLAYED_HEADER] = "true"
        return JSONResponse(
            content=json.loads(row.body) if row.body else None,
            status_code=row.status_code or 200,
            headers=headers,
        )

    async def save(
        self, status_code: int, body: Any, headers: dict[str, str] | None = None
    ) -> None:
        """Keep the answer for retries (same transaction as the work)."""
        if self.key is None:
            return
        t = self.table
        await self.session.execute(
            sa.update(t)
            .where(t.c.subject == self.subject, t.c.key == self.key)
            .values(
                status_code=status_code,
                body=json.dumps(jsonable_encoder(body)),
                headers=json.dumps(headers or {}),
            )
        )


def insert_ignore(session: AsyncSession, table: sa.Table) -> Any:
    """An INSERT into ``table`` that does nothing on a key already there (either dialect)."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table).on_conflict_do_nothing()
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(table).on_conflict_do_nothing()


async def purge(session: AsyncSession, table: sa.Table, older_than: timedelta = RETENTION) -> int:
    """Delete keys past their retention; how many."""
    result = await session.execute(
        sa.delete(table).where(table.c.created_at < wall_now() - older_than)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
