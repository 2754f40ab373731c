"""Verifying a chain: a pure function over its entries (ordered by ``seq``) and its anchors.

Every problem is reported, classified, and names the entry it concerns:

* ``altered``: an entry's content no longer matches its hash (or it was rewritten with a new hash
  the next entry does not link to, or it differs from an anchor of the same ``seq``);
* ``removed``: entries are missing (a gap in ``seq``, or a start that no purge checkpoint
  explains); ``seq``..``last_seq`` name them;
* ``reordered``: an entry sits at another position than the one it was hashed at (its seq or its
  row was swapped with another's); ``expected_seq`` says where it belongs;
* ``truncated``: the chain ends before the last anchor: ``seq``..``last_seq`` are gone.

The consequences of a problem are not reported again: a removed entry also breaks the next link,
a reordered one breaks its neighbours' links.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from cap_shared.audit.canonical import GENESIS, entry_hash
from cap_shared.audit.log import AuditEntry

ProblemKind = Literal["altered", "removed", "reordered", "truncated"]

#: The action of the entry a purge appends: its ``after`` is the checkpoint (:class:`Checkpoint`).
PURGE_ACTION = "audit_log.purged"
PURGE_RECORD_TYPE = "audit_log"


@dataclass(frozen=True)
class Anchor:
    """A chain head recorded outside the database: the chain (its first entry's hash), the
    last ``seq`` and its ``hash`` then, and when."""

    chain: str
    seq: int
    hash: str
    anchored_at: str


@dataclass(frozen=True)
class Checkpoint:
    """What a purge removed: entries up to ``through_seq``, the last of which hashed to
    ``through_hash`` (what the first retained entry must link to)."""

    chain: str
    through_seq: int
    through_hash: str


@dataclass(frozen=True)
class Problem:
    """One problem of a chain, naming the entry (or the first of the entries) it concerns."""

    kind: ProblemKind
    seq: int
    detail: str
    #: The last entry of a range (removed, truncated); ``seq`` otherwise.
    last_seq: int
    #: Where a reordered entry belongs.
    expected_seq: int | None = None


@dataclass(frozen=True)
class Verification:
    """The result of verifying one chain."""

    entries: int
    first_seq: int | None
    last_seq: int | None
    head_hash: str | None
    #: The chain's identity: the hash of its first entry ever (kept by purge checkpoints).
    chain: str | None
    checkpoint: Checkpoint | None
    anchors_checked: int
    latest_anchor: Anchor | None
    problems: list[Problem] = field(default_factory=list)
    #: Anchors of this service found for another chain (a log that was replaced as a whole).
    foreign_anchors: int = 0

    @property
    def intact(self) -> bool:
        """Whether no problem was found."""
        return not self.problems

    @property
    def first_bad(self) -> Problem | None:
        """The problem of the lowest ``seq`` (the first bad entry), if any."""
        return min(self.problems, key=lambda p: (p.seq, p.kind), default=None)


def checkpoint_of(entry: AuditEntry) -> Checkpoint | None:
    """The checkpoint a purge entry carries (None for any other entry or an unreadable one)."""
    if entry.action != PURGE_ACTION or entry.record_type != PURGE_RECORD_TYPE or not entry.after:
        return None
    try:
        after = json.loads(entry.after)
        return Checkpoint(
            chain=str(after["chain"]),
            through_seq=int(after["through_seq"]),
            through_hash=str(after["through_hash"]),
        )
    except (ValueError, KeyError, TypeError):
        return None


def chain_id_of(entries: Sequence[AuditEntry]) -> str | None:
    """The chain's identity: its first entry's hash, or what the latest checkpoint says."""
    if not entries:
        return None
    if entries[0].seq == 1:
        return entries[0].hash
    checkpoints = [c for c in map(checkpoint_of, entries) if c is not None]
    return checkpoints[-1].chain if checkpoints else None


def _hashes_as(entry: AuditEntry, seq: int) -> bool:
    return entry_hash(entry.prev_hash, {**entry.values(), "seq": seq}) == entry.hash


def verify_chain(entries: Sequence[AuditEntry], anchors: Sequence[Anchor] = ()) -> Verification:
    """Recompute the chain of ``entries`` (ordered by ``seq``), compare it with ``anchors``,
    and report every problem (see the module's docstring)."""
    problems: dict[tuple[str, int], Problem] = {}

    def report(problem: Problem) -> None:
        problems.setdefault((problem.kind, problem.seq), problem)

    by_hash = {e.hash: e for e in entries}
    position = {e.hash: i for i, e in enumerate(entries)}
    sound = [entry_hash(e.prev_hash, e.values()) == e.hash for e in entries]
    checkpoints = [c for c in map(checkpoint_of, entries) if c is not None]
    checkpoint = max(checkpoints, key=lambda c: c.through_seq, default=None)

    original: dict[int, int | None] = {}

    def hashed_at(index: int) -> int | None:
        """The seq the entry at ``index`` was hashed as (None: none that its links explain)."""
        if sound[index]:
            return entries[index].seq
        if index in original:
            return original[index]
        # Walk back through moved predecessors to one in place (or the start), then forward.
        trail = [index]
        base: int | None = None
        while True:
            entry = entries[trail[-1]]
            if entry.prev_hash == GENESIS:
                base = 0
                break
            predecessor = position.get(entry.prev_hash)
            if predecessor is None or predecessor in trail:
                break
            if sound[predecessor] or predecessor in original:
                base = entries[predecessor].seq if sound[predecessor] else original[predecessor]
                break
            trail.append(predecessor)
        for step in reversed(trail):
            candidate = None if base is None else base + 1
            if candidate is not None and not _hashes_as(entries[step], candidate):
                candidate = None
            original[step] = base = candidate
        return original[index]

    for index, entry in enumerate(entries):
        previous = entries[index - 1] if index else None
        # What this entry must link to, and the first seq it may have.
        if previous is not None:
            expected_link: str | None = previous.hash
            expected_seq = previous.seq + 1
        elif entry.seq == 1:
            expected_link, expected_seq = GENESIS, 1
        elif checkpoint is not None and checkpoint.through_seq >= entry.seq:
            expected_link, expected_seq = None, entry.seq  # leftovers of a purge: unknown link
        elif checkpoint is not None:
            expected_link, expected_seq = checkpoint.through_hash, checkpoint.through_seq + 1
        else:
            expected_link, expected_seq = GENESIS, 1
        gap = entry.seq > expected_seq
        if gap:
            report(
                Problem(
                    "removed",
                    expected_seq,
                    f"entries {expected_seq} to {entry.seq - 1} are missing"
                    if entry.seq - 1 > expected_seq
                    else f"entry {expected_seq} is missing",
                    last_seq=entry.seq - 1,
                )
            )
        if not sound[index]:
            belongs = hashed_at(index)
            if belongs is not None and belongs != entry.seq:
                report(
                    Problem(
                        "reordered",
                        entry.seq,
                        f"entry {entry.seq} was hashed as entry {belongs}: it was moved",
                        last_seq=entry.seq,
                        expected_seq=belongs,
                    )
                )
            else:
                report(
                    Problem(
                        "altered",
                        entry.seq,
                        f"entry {entry.seq} no longer matches its hash",
                        last_seq=entry.seq,
                    )
                )
            continue
        if expected_link is None or entry.prev_hash == expected_link or gap:
            continue
        if entry.prev_hash in by_hash:
            continue  # its predecessor was moved: reported as reordered
        if previous is not None and sound[index - 1]:
            # The previous entry matches its hash, but not the one this entry was chained to:
            # it was rewritten with a hash of its own.
            report(
                Problem(
                    "altered",
                    previous.seq,
                    f"entry {previous.seq} was rewritten: entry {entry.seq} links to another hash",
                    last_seq=previous.seq,
                )
            )
        elif previous is None:
            report(
                Problem(
                    "altered",
                    entry.seq,
                    f"entry {entry.seq} links to neither the start of the chain nor the purge "
                    "checkpoint",
                    last_seq=entry.seq,
                )
            )

    chain = chain_id_of(entries)
    first_seq = entries[0].seq if entries else None
    last_seq = entries[-1].seq if entries else None
    by_seq = {e.seq: e for e in entries}
    own = sorted((a for a in anchors if chain is None or a.chain == chain), key=lambda a: a.seq)
    checked = 0
    latest = own[-1] if own else None
    if latest is not None and (last_seq or 0) < latest.seq:
        start = (last_seq or 0) + 1
        report(
            Problem(
                "truncated",
                start,
                f"the chain ends at entry {last_seq or 0} but was anchored at entry {latest.seq} "
                f"({latest.anchored_at}): entries {start} to {latest.seq} are gone",
                last_seq=latest.seq,
            )
        )
    matched = 0
    for anchor in own:
        anchored = by_seq.get(anchor.seq)
        if anchored is None:
            continue  # purged, removed or truncated: reported above
        checked += 1
        if anchored.hash == anchor.hash:
            matched = anchor.seq
            continue
        if not any(p.seq == anchor.seq for p in problems.values()):
            report(
                Problem(
                    "altered",
                    anchor.seq,
                    f"entry {anchor.seq} differs from its anchor of {anchor.anchored_at}: the "
                    f"chain was rewritten after entry {matched}",
                    last_seq=anchor.seq,
                )
            )
        break  # past a rewrite, later anchors say nothing more
    return Verification(
        entries=len(entries),
        first_seq=first_seq,
        last_seq=last_seq,
        head_hash=entries[-1].hash if entries else None,
        chain=chain,
        checkpoint=checkpoint,
        anchors_checked=checked,
        latest_anchor=latest,
        problems=sorted(problems.values(), key=lambda p: (p.seq, p.kind)),
        foreign_anchors=0 if chain is None else sum(1 for a in anchors if a.chain != chain),
    )
