"""What the operator routes answer about the audit trail (``/v1/ops/<service>/audit-log``)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from cap_shared.audit.chain import ChainReport
from cap_shared.audit.log import AuditEntry
from cap_shared.audit.verify import Problem, ProblemKind
from cap_shared.pagination import Page


class AuditEntryPublic(BaseModel):
    """One entry of a service's audit trail: who changed what, when, before and after."""

    seq: int = Field(description="Position in the chain, contiguous from 1")
    occurred_at: datetime = Field(description="When, on the service's clock")
    action: str = Field(description='What was done: "<record_type>.<past-tense verb>"')
    record_type: str
    record_id: str
    actor: str = Field(
        description="Who: user:<id>, client:<id>, service:<name> (an event handler), "
        "job:<name>, anonymous (a public route) or system"
    )
    actor_kind: str
    client_id: str | None = Field(description="The OAuth client of the request, if any")
    on_behalf_of: str | None = Field(description="The organisation or body whose record it is")
    request_id: str | None
    event_id: str | None = Field(description="The event this change published, if any")
    consumed_event_id: str | None = Field(description="The event being handled, if any")
    before: Any = Field(description="The record's state before (null: created)")
    after: Any = Field(description="The record's state after (null: deleted)")
    prev_hash: str
    hash: str = Field(description="SHA-256 over prev_hash and the canonical entry")

    @classmethod
    def of(cls, entry: AuditEntry) -> AuditEntryPublic:
        """The public form of a stored entry (``before``/``after`` parsed)."""
        values = entry.values()
        for side in ("before", "after"):
            text = values[side]
            try:
                values[side] = None if text is None else json.loads(text)
            except ValueError:
                values[side] = text  # tampered with: shown as it is
        return cls(**values)


class AuditEntryList(Page[AuditEntryPublic]):
    """A page of the audit trail, newest first."""


class AuditProblemPublic(BaseModel):
    """One problem found in a chain."""

    kind: ProblemKind = Field(
        description="altered (no longer matches its hash, or differs from an anchor), removed "
        "(entries missing), reordered (moved from where it was hashed), truncated (the chain "
        "ends before its last anchor)"
    )
    seq: int = Field(description="The entry concerned (the first of a range)")
    last_seq: int = Field(description="The last entry of a range (seq when one entry)")
    expected_seq: int | None = Field(description="Where a reordered entry belongs")
    detail: str

    @classmethod
    def of(cls, problem: Problem) -> AuditProblemPublic:
        """The public form of a problem."""
        return cls(
            kind=problem.kind,
            seq=problem.seq,
            last_seq=problem.last_seq,
            expected_seq=problem.expected_seq,
            detail=problem.detail,
        )


class AuditAnchorPublic(BaseModel):
    """A chain head recorded outside the database."""

    seq: int
    hash: str
    anchored_at: str


class AuditCheckpointPublic(BaseModel):
    """What the last purge removed (retention): the chain verifies from the entry after it."""

    through_seq: int
    through_hash: str


class AuditVerificationPublic(BaseModel):
    """The verification of a service's chain, now."""

    service: str
    intact: bool = Field(description="No problem found")
    entries: int = Field(ge=0)
    first_seq: int | None
    last_seq: int | None
    head_hash: str | None
    chain: str | None = Field(description="The chain's identity: its first entry's hash ever")
    first_bad: AuditProblemPublic | None = Field(description="The problem of the lowest seq")
    problems: list[AuditProblemPublic]
    checkpoint: AuditCheckpointPublic | None
    anchors_checked: int = Field(ge=0, description="Anchors compared with an entry kept")
    latest_anchor: AuditAnchorPublic | None
    unreadable_anchors: int = Field(ge=0, description="Anchor lines that could not be read")
    foreign_anchors: int = Field(
        ge=0, description="Anchors of this service for another chain (a log replaced whole)"
    )

    @classmethod
    def of(cls, report: ChainReport) -> AuditVerificationPublic:
        """The public form of a verification."""
        v = report.verification
        first_bad = v.first_bad
        return cls(
            service=report.service,
            intact=v.intact,
            entries=v.entries,
            first_seq=v.first_seq,
            last_seq=v.last_seq,
            head_hash=v.head_hash,
            chain=v.chain,
            first_bad=AuditProblemPublic.of(first_bad) if first_bad else None,
            problems=[AuditProblemPublic.of(p) for p in v.problems],
            checkpoint=AuditCheckpointPublic(
                through_seq=v.checkpoint.through_seq, through_hash=v.checkpoint.through_hash
            )
            if v.checkpoint
            else None,
            anchors_checked=v.anchors_checked,
            latest_anchor=AuditAnchorPublic(
                seq=v.latest_anchor.seq,
                hash=v.latest_anchor.hash,
                anchored_at=v.latest_anchor.anchored_at,
            )
            if v.latest_anchor
            else None,
            unreadable_anchors=report.unreadable_anchors,
            foreign_anchors=v.foreign_anchors,
        )
