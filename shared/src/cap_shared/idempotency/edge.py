"""The edge layer: every unsafe POST a signed-in caller sends through the gateway, whatever
service answers it, has its answer kept in the gateway's own database and replayed to a retry
(:class:`IdempotencyMiddleware`, :class:`SqlIdempotencyStore`).

The in-transaction layer (:mod:`cap_shared.idempotency.transaction`) is the guarantee of the
routes that have one (diagnostics); this one covers the rest, and answers retries of those
before they reach the service.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cap_shared.clock import wall_now
from cap_shared.db.session import Database
from cap_shared.db.types import AwareDateTime
from cap_shared.idempotency.keys import (
    MAX_KEY_LENGTH,
    REPLAYED_HEADER,
    RETENTION,
    IdempotencyKeyInFlight,
    IdempotencyKeyReused,
    parse_key,
)
from cap_shared.idempotency.transaction import insert_ignore, purge
from cap_shared.problems import ProblemError, ServiceUnavailable, problem_from

logger = logging.getLogger(__name__)

#: Answers larger than this are not kept (the key is released: a retry runs again).
MAX_STORED_BODY = 1024 * 1024
#: Answers kept and replayed: final ones. Not 5xx, nor 408/425/429 (try again as it was).
_NOT_FINAL = frozenset({408, 425, 429})
#: Response headers kept with an answer (the rest describe one exchange: date, request id...).
KEPT_HEADERS = frozenset(
    {
        b"content-type",
        b"content-language",
        b"content-disposition",
        b"content-encoding",
        b"location",
        b"etag",
        b"last-modified",
        b"cache-control",
        b"vary",
        b"link",
        b"preference-applied",
    }
)


class _Answered:
    """What the metrics label a replayed or refused request with (a bounded route label)."""

    path = "idempotency-key"


ANSWERED_AT_EDGE = _Answered()


def storable(status: int) -> bool:
    """Whether an answer with ``status`` is final, hence kept for retries (2xx, 3xx, 4xx)."""
    return 200 <= status < 500 and status not in _NOT_FINAL


def idempotent_request_table(metadata: sa.MetaData) -> sa.Table:
    """Declare the ``idempotent_request`` table (the edge layer's keys and answers)."""
    return sa.Table(
        "idempotent_request",
        metadata,
        sa.Column("subject", sa.String(200), primary_key=True),
        sa.Column("key", sa.String(MAX_KEY_LENGTH), primary_key=True),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        #: When the key was claimed (retention and the in-flight lease run from here).
        sa.Column("created_at", AwareDateTime, nullable=False, index=True),
        #: None while the first request is in flight.
        sa.Column("status_code", sa.Integer, nullable=True),
        sa.Column("headers", sa.Text, nullable=True),
        sa.Column("body", sa.LargeBinary, nullable=True),
    )


@dataclass(frozen=True)
class StoredAnswer:
    """A kept answer: status, the kept headers (raw, lower-case names) and the body."""

    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes


@dataclass(frozen=True)
class Claimed:
    """The key is this request's: run it, then complete or release (with ``claimed_at``, so
    that a request whose claim was taken over after its lease touches nothing)."""

    claimed_at: datetime


@dataclass(frozen=True)
class InFlight:
    """The first request with this key has not answered yet."""


@dataclass(frozen=True)
class Mismatch:
    """The key was used for another request."""


Claim = Claimed | InFlight | Mismatch | StoredAnswer


class IdempotencyStore(Protocol):
    """Where the edge layer keeps keys and answers."""

    async def claim(self, subject: str, key: str, fingerprint: str) -> Claim:
        """Claim ``key`` for a request, or say why not (in flight, mismatch, the answer)."""
        ...

    async def complete(self, subject: str, key: str, claim: Claimed, answer: StoredAnswer) -> None:
        """Keep the answer of the request that claimed ``key``."""
        ...

    async def release(self, subject: str, key: str, claim: Claimed) -> None:
        """Forget a claim whose request gave no final answer (a retry runs again)."""
        ...


class SqlIdempotencyStore:
    """Keys and answers in an :func:`idempotent_request_table` (PostgreSQL or SQLite).

    Each step is its own short transaction: nothing is held while the request runs. A claim
    older than ``lease`` that never completed (its process died) may be claimed again; a row
    older than ``retention`` counts as absent (the periodic purge deletes it).
    """

    def __init__(
        self,
        db: Database,
        table: sa.Table,
        *,
        lease: timedelta = timedelta(minutes=2),
        retention: timedelta = RETENTION,
        clock: Callable[[], datetime] = wall_now,
    ) -> None:
        self.db = db
        self.table = table
        self.lease = lease
        self.retention = retention
        self.clock = clock

    async def claim(self, subject: str, key: str, fingerprint: str) -> Claim:
        """Claim ``key`` in one transaction, or say why not (in flight, mismatch, the answer)."""
        t = self.table
        now = self.clock()
        async with self.db.session() as session:
            inserted = await session.execute(
                insert_ignore(session, t).values(
                    subject=subject, key=key, fingerprint=fingerprint, created_at=now
                )
            )
            if inserted.rowcount == 1:  # type: ignore[attr-defined]
                return Claimed(now)
            row = (
                await session.execute(sa.select(t).where(t.c.subject == subject, t.c.key == key))
            ).one_or_none()
            if row is None:  # purged in between: the next claim inserts it again
                return InFlight()
            expired = row.created_at < now - self.retention
            if not expired and row.fingerprint != fingerprint:
                return Mismatch()
            abandoned = row.status_code is None and row.created_at < now - self.lease
            if expired or abandoned:
                taken = await session.execute(
                    sa.update(t)
                    .where(t.c.subject == subject, t.c.key == key)
                    .where(t.c.created_at == row.created_at)
                    .values(
                        fingerprint=fingerprint,
                        created_at=now,
                        status_code=None,
                        headers=None,
                        body=None,
                    )
                )
                return Claimed(now) if taken.rowcount == 1 else InFlight()  # type: ignore[attr-defined]
            if row.status_code is None:
                return InFlight()
            headers = [
                (name.encode("latin-1"), value.encode("latin-1"))
                for name, value in json.loads(row.headers or "[]")
            ]
            return StoredAnswer(row.status_code, headers, bytes(row.body or b""))

    async def complete(self, subject: str, key: str, claim: Claimed, answer: StoredAnswer) -> None:
        """Keep the answer, if the claim is still this request's."""
        t = self.table
        async with self.db.session() as session:
            await session.execute(
                sa.update(t)
                .where(t.c.subject == subject, t.c.key == key, t.c.status_code.is_(None))
                .where(t.c.created_at == claim.claimed_at)
                .values(
                    status_code=answer.status,
                    headers=json.dumps(
                        [[n.decode("latin-1"), v.decode("latin-1")] for n, v in answer.headers]
                    ),
                    body=answer.body,
                )
            )

    async def release(self, subject: str, key: str, claim: Claimed) -> None:
        """Delete the claim, if it is still this request's (a retry runs again)."""
        t = self.table
        async with self.db.session() as session:
            await session.execute(
                sa.delete(t).where(
                    t.c.subject == subject,
                    t.c.key == key,
                    t.c.status_code.is_(None),
                    t.c.created_at == claim.claimed_at,
                )
            )


def request_fingerprint(scope: Scope, body: bytes) -> str:
    """What makes two requests "the same" at the edge: method, path, query, content type and
    the body's bytes (a re-encoded but equal body is another request)."""
    content_type = next((v for k, v in scope["headers"] if k == b"content-type"), b"")
    data = json.dumps(
        [
            scope["method"],
            scope["path"],
            scope.get("query_string", b"").decode("latin-1"),
            content_type.decode("latin-1"),
            hashlib.sha256(body).hexdigest(),
        ],
        separators=(",", ":"),
    )
    return hashlib.sha256(data.encode()).hexdigest()


class IdempotencyMiddleware:
    """``Idempotency-Key`` on every POST of a known caller, as the IETF httpapi draft has it.

    ``subject(scope)`` names the verified caller, or None: a request without one (signing in,
    the public registry's forms) is exempt and goes on untouched, its header included, as does
    every request without the header. With a key, the first request claims it and runs; a
    duplicate while it runs is a 409 (``Retry-After``), the same key with another request a
    422; once the first has a final answer (:func:`storable`, at most
    :data:`MAX_STORED_BODY` bytes), a retry gets that answer again with
    ``Idempotent-Replayed: true``. Otherwise the claim is released and a retry runs again.
    The answer streams to the client as it comes; the copy is kept when it is complete.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        store: IdempotencyStore,
        subject: Callable[[Scope], str | None],
        max_stored_body: int = MAX_STORED_BODY,
        retry_after_s: int = 1,
    ) -> None:
        self.app = app
        self.store = store
        self.subject = subject
        self.max_stored_body = max_stored_body
        self.retry_after = str(retry_after_s)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Replay, refuse or run a signed-in POST with a key, keeping its answer; pass on the rest."""
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        raw = next((v for k, v in scope["headers"] if k == b"idempotency-key"), None)
        subject = self.subject(scope) if raw is not None else None
        if raw is None or subject is None:
            await self.app(scope, receive, send)
            return
        try:
            key = parse_key(raw.decode("latin-1"))
            body = await _read_body(receive)
            if body is None:  # the client went away
                return
            claim = await self._claim(subject, key, request_fingerprint(scope, body))
        except ProblemError as exc:
            scope["route"] = ANSWERED_AT_EDGE
            await problem_from(exc, instance=scope["path"])(scope, receive, send)
            return
        if isinstance(claim, StoredAnswer):
            scope["route"] = ANSWERED_AT_EDGE
            await _replay(claim, send)
            return
        try:
            await self._run(scope, _replaying(body, receive), send, subject, key, claim)
        except BaseException:
            await asyncio.shield(self._release(subject, key, claim))
            raise

    async def _claim(self, subject: str, key: str, fingerprint: str) -> Claimed | StoredAnswer:
        try:
            claim = await self.store.claim(subject, key, fingerprint)
        except SQLAlchemyError as exc:
            logger.warning("idempotency store unavailable: %s", exc)
            raise ServiceUnavailable(
                "retries cannot be checked now; try again shortly",
                detail_fr="les reprises ne peuvent être vérifiées pour l'instant ; "
                "réessayez dans un moment",
                headers={"Retry-After": "5"},
            ) from None
        if isinstance(claim, Mismatch):
            raise IdempotencyKeyReused(
                "this Idempotency-Key was used for a different request; use a new key",
                detail_fr="cette Idempotency-Key a servi à une autre requête ; "
                "utilisez-en une nouvelle",
            )
        if isinstance(claim, InFlight):
            raise IdempotencyKeyInFlight(
                "the first request with this Idempotency-Key is still in progress; retry later",
                detail_fr="la première requête avec cette Idempotency-Key est encore en cours ; "
                "réessayez plus tard",
                headers={"Retry-After": self.retry_after},
            )
        return claim

    async def _run(
        self, scope: Scope, receive: Receive, send: Send, subject: str, key: str, claim: Claimed
    ) -> None:
        status = 0
        headers: list[tuple[bytes, bytes]] = []
        chunks: list[bytes] = []
        size = 0
        keep = True
        gone = False

        async def copying(message: Message) -> None:
            nonlocal status, headers, size, keep, gone
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [(k.lower(), v) for k, v in message.get("headers", [])]
                keep = storable(status) and not any(
                    k == b"content-type" and v.startswith(b"text/event-stream") for k, v in headers
                )
            elif message["type"] == "http.response.body" and keep:
                chunk = message.get("body", b"")
                size += len(chunk)
                if size > self.max_stored_body:
                    keep, chunks[:] = False, []
                else:
                    chunks.append(chunk)
            if not gone:
                try:
                    await send(message)
                except Exception:  # the client went away: the answer is still kept for its retry
                    gone = True

        await self.app(scope, receive, copying)
        if not (keep and status):
            await self._release(subject, key, claim)
            return
        answer = StoredAnswer(
            status, [(k, v) for k, v in headers if k in KEPT_HEADERS], b"".join(chunks)
        )
        try:
            await self.store.complete(subject, key, claim, answer)
        except SQLAlchemyError:
            logger.exception("the answer to an Idempotency-Key request could not be kept")
            await self._release(subject, key, claim)

    async def _release(self, subject: str, key: str, claim: Claimed) -> None:
        try:
            await self.store.release(subject, key, claim)
        except SQLAlchemyError:  # the lease runs out instead
            logger.exception("an Idempotency-Key claim could not be released")


async def _read_body(receive: Receive) -> bytes | None:
    """The whole request body (bounded by the edge's limit), None if the client disconnected."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replaying(body: bytes, receive: Receive) -> Receive:
    """``receive`` giving the body already read, then what the client sends next (disconnect)."""
    sent = False

    async def wrapped() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return wrapped


async def _replay(answer: StoredAnswer, send: Send) -> None:
    headers = [
        *((k, v) for k, v in answer.headers if k != b"content-length"),
        (b"content-length", str(len(answer.body)).encode()),
        (REPLAYED_HEADER.lower().encode(), b"true"),
    ]
    await send({"type": "http.response.start", "status": answer.status, "headers": headers})
    await send({"type": "http.response.body", "body": answer.body})


async def purge_requests(
    session: AsyncSession, table: sa.Table, older_than: timedelta = RETENTION
) -> int:
    """Delete the edge layer's keys past their retention; how many."""
    return await purge(session, table, older_than)
