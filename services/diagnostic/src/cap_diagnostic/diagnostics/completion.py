"""Scoring a diagnostic: the live scores while rating, and the one completion path that
freezes them and publishes ``diagnostic.completed.v1``."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from cap_diagnostic.diagnostics import access
from cap_diagnostic.diagnostics.repository import DiagnosticRepository
from cap_diagnostic.diagnostics.rules import lifecycle, scoring
from cap_diagnostic.facilitators import rules as facilitator_rules
from cap_diagnostic.models import Answer, Diagnostic, GroupScoreRow, tables
from cap_diagnostic.referentials import service as referentials
from cap_diagnostic.statistics.repository import StatisticsRepository
from cap_shared import clock
from cap_shared.audit import record_change
from cap_shared.contracts import new_event
from cap_shared.contracts.diagnostic import (
    CriterionScoreV1,
    DiagnosticCompletedV1,
    GroupScoreV1,
    ReferentialRef,
)
from cap_shared.outbox import add_event
from cap_shared.security import Principal

SOURCE = "/cap/diagnostic"


def ratings_of(answers: Sequence[Answer]) -> dict[str, scoring.Rating]:
    """The answers as the scoring rules read them, by criterion URN."""
    return {
        a.criterion_urn: scoring.Rating(level=a.level, not_applicable=a.not_applicable)
        for a in answers
    }


async def live_scores(
    session: AsyncSession, principal: Principal, *, diagnostic_id: str
) -> dict[str, Any]:
    """Scores as they stand (final once completed)."""
    diagnostic, _ = await access.visible(session, principal, diagnostic_id)
    if diagnostic.scores is not None:
        return diagnostic.scores
    referential = await referentials.resolved(session, diagnostic.referential_id)
    ratings = ratings_of(await DiagnosticRepository(session).answers(diagnostic.id))
    return scores_dict(scoring.score(referential, ratings))


def scores_dict(scores: scoring.Scores) -> dict[str, Any]:
    """Scores as JSON-ready data."""
    data = dataclasses.asdict(scores)
    data.pop("step_gain")
    return data


async def record_completion(
    session: AsyncSession,
    diagnostic: Diagnostic,
    *,
    actor: str,
    allow_unrated: bool = False,
    answers: Sequence[Answer] | None = None,
    status_before: str | None = None,
) -> None:
    """Score a diagnostic, freeze its scores and publish ``diagnostic.completed.v1``: the one
    completion path, for the structure's own assessments (the ``complete`` transition: every
    criterion rated or not applicable) and for the auditor's evaluations (``evaluations/service.py``,
    ``allow_unrated``: what the auditor did not evaluate stays unrated, published with no
    level). The caller sets the status. The completion is a regulated change: it appends
    ``diagnostic.completed`` to the audit trail, in the same transaction.

    ``answers``: the diagnostic's answers when the caller read them already (before changing
    the row, so that its changes go in one UPDATE); ``status_before``: its status before the
    caller changed it (for the audit trail)."""
    # The structure's own assessment moves from its current status; an audit evaluation is
    # created completed (nothing before it).
    before = (
        None
        if diagnostic.kind == lifecycle.Kind.AUDIT_EVALUATION.value
        else {"status": status_before or diagnostic.status}
    )
    referential = await referentials.resolved(session, diagnostic.referential_id)
    repo = DiagnosticRepository(session)
    if answers is None:
        answers = await repo.answers(diagnostic.id)
    result = scoring.score(referential, ratings_of(answers))
    if not result.complete and not allow_unrated:
        raise lifecycle.Incomplete(
            f"{len(result.missing)} criteria are neither rated nor marked not applicable",
            detail_fr=(
                f"{len(result.missing)} critère(s) ne sont ni notés ni marqués non applicables"
            ),
            extensions={"missing": list(result.missing)},
        )
    now = clock.now()
    # Scores are written when a diagnostic is completed, and it is completed once: none to
    # replace the first time (a DELETE of nothing saved).
    scored_before = diagnostic.completed_at is not None
    diagnostic.completed_at = now
    diagnostic.completed_quarter = f"{now.year}-T{(now.month - 1) // 3 + 1}"
    diagnostic.overall_score = result.overall.score
    diagnostic.overall_band = result.overall.band
    diagnostic.scores = scores_dict(result)
    groups = [result.overall, *result.themes, *result.kinds]
    for framework_groups in result.frameworks.values():
        groups.extend(framework_groups)
    await StatisticsRepository(session).record_latest(diagnostic, referential.code)
    await repo.replace_scores(
        diagnostic.id,
        [
            GroupScoreRow(
                diagnostic_id=diagnostic.id, group=g.group, code=g.code, score=g.score, band=g.band
            )
            for g in groups
        ],
        replace=scored_before,
    )
    by_urn = {a.criterion_urn: a for a in answers}
    figures = lifecycle.figures_summary(diagnostic.key_figures)
    event = DiagnosticCompletedV1(
        diagnostic_id=diagnostic.id,
        organisation_id=diagnostic.organisation_id,
        kind=diagnostic.kind,
        audit_id=diagnostic.audit_id,
        facilitator_user_ids=facilitator_rules.user_ids(diagnostic.facilitator_accounts),
        referential=ReferentialRef(
            urn=referential.urn, code=referential.code, version=referential.version
        ),
        completed_at=now,
        session_date=diagnostic.session_date,
        overall=_group(result.overall),
        themes=[_group(g) for g in result.themes],
        frameworks={k: [_group(g) for g in v] for k, v in result.frameworks.items()},
        kinds=[_group(g) for g in result.kinds],
        criteria=[
            CriterionScoreV1(
                urn=c.urn,
                code=c.code,
                level=by_urn[c.urn].level if c.urn in by_urn else None,
                max_level=c.max_level,
                not_applicable=by_urn[c.urn].not_applicable if c.urn in by_urn else False,
                core=c.core,
            )
            for c in referential.criteria.values()
        ],
        dynamic_exit_rate=figures["dynamic_exit_rate"] if figures else None,
    )
    envelope = new_event(event, source=SOURCE, subject=diagnostic.id, actor=actor)
    # The audit trail's entry first, the outbox row last: the row is deferred to the next
    # statement (cap_shared.outbox.writer); last, it goes with the COMMIT instead of taking a
    # round trip of its own before the trail's lock.
    await record_change(
        session,
        tables.audit_log,
        action="diagnostic.completed",
        record_type="diagnostic",
        record_id=diagnostic.id,
        before=before,
        after={
            "status": lifecycle.Status.RATED.value,
            "kind": diagnostic.kind,
            "referential": {"code": referential.code, "version": referential.version},
            "overall_score": result.overall.score,
            "overall_band": result.overall.band,
            "completed_at": now,
            "session_date": diagnostic.session_date,
            "facilitator_user_ids": event.facilitator_user_ids,
            "audit_id": diagnostic.audit_id,
        },
        on_behalf_of=diagnostic.organisation_id,
        event_id=envelope.id,
    )
    await add_event(session, tables.outbox, envelope)


def _group(g: scoring.GroupScore) -> GroupScoreV1:
    """A group's score as the event carries it."""
    return GroupScoreV1(**dataclasses.asdict(g))
