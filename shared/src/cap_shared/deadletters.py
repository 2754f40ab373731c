"""Dead letters made visible: a keeper moves each DLQ message into a table; operators replay.

The broker's dead-letter queue is the buffer (nothing is lost if the database is down: the
message stays in the DLQ); the table is where operators list, read and replay them.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
from datetime import datetime
from typing import Any
from uuid import uuid4

import sqlalchemy as sa
from pydantic import BaseModel
from sqlalchemy.dialects import postgresql, sqlite

from cap_shared import metrics
from cap_shared.clock import wall_now
from cap_shared.db.session import Database
from cap_shared.db.types import AwareDateTime
from cap_shared.messaging.base import (
    ATTEMPT_HEADER,
    ATTEMPTS_HEADER,
    DEAD_AT_HEADER,
    DEATH_REASON_HEADER,
    QUEUE_HEADER,
    ROUTING_KEY_HEADER,
    Broker,
    Delivery,
    OutgoingMessage,
    QueueSpec,
)
from cap_shared.pagination import Keyset, Page, newest_first
from cap_shared.problems import Conflict, NotFound

logger = logging.getLogger(__name__)

DEAD_LETTER_TABLE = "dead_letter"
_DROPPED_ON_REPLAY = {
    ATTEMPT_HEADER,
    ATTEMPTS_HEADER,
    DEAD_AT_HEADER,
    DEATH_REASON_HEADER,
    QUEUE_HEADER,
    ROUTING_KEY_HEADER,
    "x-death",
    "x-first-death-reason",
    "x-first-death-queue",
    "x-first-death-exchange",
    "x-last-death-reason",
    "x-last-death-queue",
    "x-last-death-exchange",
    "x-delivery-count",
}


def dead_letter_table(metadata: sa.MetaData) -> sa.Table:
    """Define ``dead_letter`` in ``metadata`` (once per service)."""
    return sa.Table(
        DEAD_LETTER_TABLE,
        metadata,
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("queue", sa.String(200), nullable=False),
        sa.Column("message_key", sa.String(64), nullable=False),
        sa.Column("message_id", sa.String(64), nullable=True),
        sa.Column("event_type", sa.String(200), nullable=True),
        sa.Column("routing_key", sa.String(200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("death_count", sa.Integer(), nullable=False, server_default="1"),
        sa.Column("headers", sa.Text(), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("dead_lettered_at", AwareDateTime(), nullable=False),
        sa.Column("replayed_at", AwareDateTime(), nullable=True),
        sa.Column("replay_count", sa.Integer(), nullable=False, server_default="0"),
        sa.UniqueConstraint("queue", "message_key"),
    )


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode(errors="replace")
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


class DeadLetterPublic(BaseModel):
    """A dead-lettered message as operators see it."""

    id: str
    queue: str
    message_id: str | None
    event_type: str | None
    routing_key: str
    reason: str
    attempts: int
    death_count: int
    dead_lettered_at: datetime
    replayed_at: datetime | None
    replay_count: int
    headers: dict[str, Any]
    body: str
    body_encoding: str


class DeadLetterList(Page[DeadLetterPublic]):
    """A page of dead letters, newest first; ``total``: how many match the filter (cheap: the
    table is small, operators read it to size an incident)."""

    total: int


class DeadLetters:
    """Keeper (DLQ -> table), listing and replay for one service."""

    def __init__(
        self, *, db: Database, broker: Broker, table: sa.Table, spec: QueueSpec, service: str
    ) -> None:
        self.db = db
        self.broker = broker
        self.table = table
        self.spec = spec
        self.service = service

    async def keep(self, delivery: Delivery) -> None:
        """Record one dead letter (idempotent per queue and message)."""
        key = delivery.message_id or hashlib.sha256(delivery.body).hexdigest()[:64]
        reason = delivery.death_reason or "unknown"
        attempts = int(delivery.headers.get(ATTEMPTS_HEADER, delivery.attempt) or 0)
        values = {
            "id": str(uuid4()),
            "queue": delivery.queue.removesuffix(".dlq"),
            "message_key": key,
            "message_id": delivery.message_id,
            "event_type": delivery.type,
            "routing_key": delivery.routing_key,
            "reason": reason[:2000],
            "attempts": attempts,
            "headers": json.dumps(_jsonable(delivery.headers)),
            "body": delivery.body,
            "dead_lettered_at": wall_now(),
        }
        async with self.db.session() as session:
            insert = postgresql.insert if self.db.dialect == "postgresql" else sqlite.insert
            t = self.table
            stmt = insert(t).values(**values)
            stmt = stmt.on_conflict_do_update(
                index_elements=["queue", "message_key"],
                set_={
                    "reason": stmt.excluded.reason,
                    "attempts": stmt.excluded.attempts,
                    "headers": stmt.excluded.headers,
                    "dead_lettered_at": stmt.excluded.dead_lettered_at,
                    "death_count": t.c.death_count + 1,
                    "replayed_at": None,
                },
            )
            await session.execute(stmt)
        metrics.EVENTS_DEAD_LETTERED.labels(self.service).inc()
        logger.error("dead letter in %s: %s (%s)", values["queue"], delivery.message_id, reason)

    @staticmethod
    def _public(row: Any) -> DeadLetterPublic:
        try:
            body, encoding = row.body.decode(), "utf-8"
        except UnicodeDecodeError:
            body, encoding = base64.b64encode(row.body).decode(), "base64"
        return DeadLetterPublic(
            id=row.id,
            queue=row.queue,
            message_id=row.message_id,
            event_type=row.event_type,
            routing_key=row.routing_key,
            reason=row.reason,
            attempts=row.attempts,
            death_count=row.death_count,
            dead_lettered_at=row.dead_lettered_at,
            replayed_at=row.replayed_at,
            replay_count=row.replay_count,
            headers=json.loads(row.headers),
            body=body,
            body_encoding=encoding,
        )

    @property
    def keyset(self) -> Keyset:
        """Newest first; cursors bound to this service's list."""
        return newest_first(
            f"{self.service}.dead-letters", self.table.c.dead_lettered_at, self.table.c.id
        )

    async def list(
        self, *, limit: int = 50, cursor: str | None = None, include_replayed: bool = False
    ) -> DeadLetterList:
        """A page of dead letters, newest first, and how many there are."""
        t = self.table
        keyset = self.keyset
        query = sa.select(t)
        count_query = sa.select(sa.func.count()).select_from(t)
        if not include_replayed:
            query = query.where(t.c.replayed_at.is_(None))
            count_query = count_query.where(t.c.replayed_at.is_(None))
        query = keyset.select(query, cursor=cursor, limit=limit)
        async with self.db.engine.connect() as conn:
            rows, next_cursor = keyset.split((await conn.execute(query)).all(), limit)
            total = (await conn.execute(count_query)).scalar_one()
        return DeadLetterList(
            data=[self._public(r) for r in rows], next_cursor=next_cursor, total=total
        )

    async def get(self, dead_letter_id: str) -> DeadLetterPublic:
        """One dead letter."""
        async with self.db.engine.connect() as conn:
            row = (
                await conn.execute(sa.select(self.table).where(self.table.c.id == dead_letter_id))
            ).first()
        if row is None:
            raise NotFound(
                f"no dead letter {dead_letter_id}",
                detail_fr=f"aucune lettre morte {dead_letter_id}",
            )
        return self._public(row)

    async def replay(self, dead_letter_id: str) -> DeadLetterPublic:
        """Send the original message back to the service's queue, with a fresh attempt count."""
        t = self.table
        async with self.db.session() as session:
            row = (await session.execute(sa.select(t).where(t.c.id == dead_letter_id))).first()
            if row is None:
                raise NotFound(
                    f"no dead letter {dead_letter_id}",
                    detail_fr=f"aucune lettre morte {dead_letter_id}",
                )
            if row.replayed_at is not None:
                raise Conflict(
                    "this dead letter was already replayed; it is listed again if it dies again",
                    detail_fr=(
                        "cette lettre morte a déjà été rejouée ; elle réapparaît dans la "
                        "liste si elle échoue de nouveau"
                    ),
                )
            headers = {
                k: v for k, v in json.loads(row.headers).items() if k not in _DROPPED_ON_REPLAY
            }
            message = OutgoingMessage(
                routing_key=row.routing_key,
                body=row.body,
                message_id=row.message_id or row.message_key,
                type=row.event_type,
                headers=headers,
            )
            await self.broker.send_to_queue(self.spec, message)
            await session.execute(
                sa.update(t)
                .where(t.c.id == dead_letter_id)
                .values(replayed_at=wall_now(), replay_count=t.c.replay_count + 1)
            )
        return await self.get(dead_letter_id)
