"""Jepsen-style accounting of events: lost, duplicated, unexpected (rabbitmq/jepsen's checker)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass
class Ledger:
    """What was sent (acknowledged by the producer) against what was seen by consumers."""

    sent: set[str] = field(default_factory=set)
    seen: Counter[str] = field(default_factory=Counter)

    def record_sent(self, ids: Iterable[str]) -> None:
        """Ids whose publication (or commit) was acknowledged."""
        self.sent.update(ids)

    def record_seen(self, ids: Iterable[str]) -> None:
        """Ids observed on the consumer side (one call per observation)."""
        self.seen.update(ids)

    @property
    def lost(self) -> set[str]:
        """Sent but never seen."""
        return self.sent - set(self.seen)

    @property
    def unexpected(self) -> set[str]:
        """Seen but never sent."""
        return set(self.seen) - self.sent

    @property
    def duplicated(self) -> set[str]:
        """Seen more than once."""
        return {i for i, n in self.seen.items() if n > 1}

    def summary(self) -> dict[str, int]:
        """Counts per class, for assertion messages."""
        return {
            "sent": len(self.sent),
            "seen": len(self.seen),
            "lost": len(self.lost),
            "unexpected": len(self.unexpected),
            "duplicated": len(self.duplicated),
        }
