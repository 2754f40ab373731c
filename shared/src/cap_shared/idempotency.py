"""``Idempotency-Key`` for unsafe requests: a retried request gets the first answer again.

Mobile clients on a poor connection resend what they are not sure went through. The first
request with a key *claims* it by inserting a row in the same transaction as its work; when the
work commits, the row holds the answer; when it rolls back, the claim disappears with it. A
retry with the same key and the same request replays the stored answer (header
``Idempotent-Replayed: true``); the same key with a different request is refused (422), and a
retry that arrives while the first is still running waits on the row lock (PostgreSQL), then
replays.

Keys are scoped per caller (the token's subject), so two callers cannot collide or read each
other's answers. Rows older than the retention are purged by :func:`purge`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import Header, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncSession

from cap_shared.clock import wall_now
from cap_shared.db.types import AwareDateTime
from cap_shared.problems import ProblemError

REPLAYED_HEADER = "Idempotent-Replayed"
RETENTION = timedelta(hours=24)

IdempotencyKeyHeader = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=100,
        pattern=r"^[A-Za-z0-9._:\-]{8,100}$",
        description="Client-generated key (8-100 characters); a retry with the same key "
        "and body gets the first answer again",
    ),
]


class IdempotencyKeyReused(ProblemError):
    """The key was already used for a different request."""

    status, code, title = 422, "idempotency-key-reused", "Idempotency key already used"
    title_fr = "Clé d'idempotence déjà utilisée"


def idempotency_table(metadata: sa.MetaData) -> sa.Table:
    """Declare the ``idempotency_key`` table in a service's metadata."""
    return sa.Table(
        "idempotency_key",
        metadata,
        sa.Column("subject", sa.String(200), primary_key=True),
        sa.Column("key", sa.String(100), primary_key=True),
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
        t = self.table
        inserted = await self.session.execute(
            _insert_ignore(self.session, t).values(
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
                detail_fr=(
                    "cette Idempotency-Key a servi pour une autre requête ; utilisez "
                    "une nouvelle clé"
                ),
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


def _insert_ignore(session: AsyncSession, table: sa.Table) -> Any:
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
