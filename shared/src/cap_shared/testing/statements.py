"""Counting the SQL statements a piece of code sends: a bound on an endpoint's round trips
(an N+1 query, or one statement per row of a batch, shows up as a count that grows)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine


@dataclass
class Statements:
    """The statements sent while counting, in order (``len()`` is their number)."""

    sent: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.sent)

    def __str__(self) -> str:
        return "\n".join(f"{i:3} {s.split(chr(10))[0][:160]}" for i, s in enumerate(self.sent))


@contextmanager
def counting(engine: AsyncEngine) -> Iterator[Statements]:
    """Every statement ``engine`` executes inside the block (``executemany`` counts once: one
    round trip)."""
    statements = Statements()

    def before(*args: Any) -> None:
        statements.sent.append(" ".join(str(args[2]).split()))

    target = engine.sync_engine
    event.listen(target, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(target, "before_cursor_execute", before)
