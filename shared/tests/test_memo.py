"""A transaction's memo (cap_shared.db.memo): kept for the transaction, forgotten at its end,
at a savepoint's end and when a flush writes a row of the models it names."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from cap_shared.db.memo import TransactionMemo


class Base(DeclarativeBase):
    """Its own metadata: the services' models and migrations never see these tables."""


class MemoNote(Base):
    __tablename__ = "memo_note"
    id: Mapped[int] = mapped_column(primary_key=True)


class MemoOther(Base):
    __tablename__ = "memo_other"
    id: Mapped[int] = mapped_column(primary_key=True)


NOTES: TransactionMemo[str, int] = TransactionMemo("test_memo_notes", written_by=(MemoNote,))
PLAIN: TransactionMemo[str, int] = TransactionMemo("test_memo_plain")


@pytest.fixture
async def session(tmp_path: Path) -> AsyncIterator[AsyncSession]:
    engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'memo.db'}")
    async with engine.begin() as connection:
        await connection.run_sync(Base.metadata.create_all)
    async with async_sessionmaker(engine, expire_on_commit=False)() as session:
        yield session
    await engine.dispose()


async def test_kept_for_the_transaction_and_forgotten_at_its_end(session: AsyncSession) -> None:
    async with session.begin():
        NOTES.put(session, "a", 1)
        PLAIN.put(session, "a", 2)
        assert NOTES.get(session, "a") == 1
        assert PLAIN.known(session) == {"a": 2}
    assert NOTES.get(session, "a") is None
    assert PLAIN.get(session, "a") is None


async def test_a_written_row_hides_then_forgets_it_another_model_does_not(
    session: AsyncSession,
) -> None:
    async with session.begin():
        NOTES.put(session, "a", 1)
        session.add(MemoOther(id=1))
        await session.flush()  # a flush of another model: kept
        assert NOTES.get(session, "a") == 1
        session.add(MemoNote(id=1))
        assert NOTES.get(session, "a") is None  # waits to be flushed: not offered
        assert NOTES.pending(session)
        await session.flush()
        assert not NOTES.pending(session)
        assert NOTES.get(session, "a") is None  # flushed: forgotten
        assert NOTES.known(session) == {}


async def test_a_savepoint_ending_forgets_it_a_flush_does_not(session: AsyncSession) -> None:
    gc.collect()  # the listeners are held by the memo, not only by SQLAlchemy's registry
    async with session.begin():
        PLAIN.put(session, "a", 1)
        session.add(MemoOther(id=2))
        await session.flush()  # a flush's inner transaction ends: kept
        assert PLAIN.get(session, "a") == 1
        savepoint = await session.begin_nested()
        PLAIN.put(session, "b", 2)
        await savepoint.rollback()
        assert PLAIN.known(session) == {}
        PLAIN.put(session, "c", 3)
        PLAIN.forget(session)
        assert PLAIN.get(session, "c") is None
