"""The auditor's CAP RSE evaluation, recorded as a diagnostic of kind ``audit_evaluation``.

The CAP RSE level is computed from the third-party evaluation (``domain.md`` §7.6 C: the
evaluator is not the structure, the level comes from scores). The audit report
(``audit.report_submitted.v1``) carries the auditor's evaluated maturity per criterion; this
service owns the referentials and the scoring, so it turns that into a diagnostic scored like any
other and completed through the same path, which publishes the same ``diagnostic.completed.v1``
(``kind: audit_evaluation``, ``audit_id``). The labelling service reads the level from it.

Rules:

* only a CAP RSE report with evaluated maturity records one, and only once per audit (the
  diagnostic's ``audit_id`` is unique: a redelivered or replayed report records nothing more);
* the referential version is the one of the structure's latest completed CAP RSE assessment of
  its own (self-assessment or facilitated session), else the latest imported CAP RSE version;
* a criterion the auditor evaluated takes the auditor's level; one the auditor did not evaluate
  keeps the rating of that assessment (level, or not applicable) and, without one, is rated 0
  (*Non engagé*: nothing was evaluated, so nothing counts). Each answer's comment and the
  diagnostic's ``audit_evaluation`` record say where every rating came from;
* an unknown criterion or a level outside the criterion's scale is bad data from another
  service: it is ignored with a warning and listed in the record (the report's findings still
  become actions, so the whole event is not dead-lettered). The evaluation is recorded even
  when nothing usable is left (its ratings then all come from the structure or are 0): the
  labelling service waits for the evaluation of every report that carried evaluated maturity
  before the committee can grant a level, so a report must never leave it waiting;
* the evaluation is created ``rated`` and never moves (``lifecycle.RECORDS``): the structure
  reads it like its other diagnostics and cannot change it.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from cap_diagnostic import diagnostics, lifecycle
from cap_diagnostic.lifecycle import Kind, Status
from cap_diagnostic.models import Answer, Diagnostic
from cap_diagnostic.referentials import service as referentials
from cap_diagnostic.repository import (
    DiagnosticRepository,
    OrganisationRepository,
    ReferentialRepository,
)
from cap_shared.contracts import Envelope
from cap_shared.contracts.audit import AuditReportSubmittedV1

logger = logging.getLogger(__name__)

REFERENTIAL = "CAP_RSE"
#: Rating of a criterion neither the auditor nor the structure evaluated.
DEFAULT_LEVEL = 0


async def on_audit_report(
    session: AsyncSession, envelope: Envelope, event: AuditReportSubmittedV1
) -> Diagnostic | None:
    """Record a CAP RSE report's evaluated maturity as a completed, scored audit evaluation
    (once per audit); None when the report records none."""
    if event.scheme != REFERENTIAL or not event.evaluated_maturity:
        return None
    repo = DiagnosticRepository(session)
    if await repo.by_audit(event.audit_id) is not None:
        return None  # already recorded: a redelivered or replayed report changes nothing
    organisation = await OrganisationRepository(session).get(organisation_id=event.organisation_id)
    if organisation is None:
        raise LookupError(f"organisation {event.organisation_id} not known yet")  # retried
    own = await repo.latest_assessment(
        organisation.id, REFERENTIAL, excluding_kinds=[k.value for k in lifecycle.RECORDS]
    )
    stored = (
        await ReferentialRepository(session).get(own.referential_id)
        if own is not None
        else await referentials.get_version(session, REFERENTIAL, None)
    )
    assert stored is not None  # a diagnostic's version is never deleted
    referential = await referentials.resolved(session, stored.id)

    evaluated: dict[str, int] = {}
    ignored: list[dict[str, Any]] = []
    for item in event.evaluated_maturity:
        criterion = referential.criteria.get(item.criterion_urn)
        if criterion is None:
            reason = f"unknown criterion in {referential.code} v{referential.version}"
        elif item.level > criterion.max_level:
            reason = f"level outside the scale 0-{criterion.max_level} of {criterion.code}"
        else:
            evaluated[item.criterion_urn] = item.level
            continue
        logger.warning(
            "audit %s: evaluated maturity %s level %s ignored (%s)",
            event.audit_id,
            item.criterion_urn,
            item.level,
            reason,
        )
        ignored.append({"criterion_urn": item.criterion_urn, "level": item.level, "reason": reason})
    actor = (envelope.actor or f"audit:{event.audit_id}")[:200]
    fallback = {a.criterion_urn: a for a in await repo.answers(own.id)} if own else {}
    by_source: dict[str, list[str]] = {"auditor": [], "self_assessment": [], "default": []}
    diagnostic = Diagnostic(
        id=str(uuid.uuid4()),
        organisation_id=organisation.id,
        referential_id=stored.id,
        kind=Kind.AUDIT_EVALUATION.value,
        status=Status.RATED.value,
        title=f"Évaluation de l'auditeur — {stored.name} — {organisation.name}"[:200],
        session_date=event.last_day or event.submitted_at.date(),
        created_by=actor,
        audit_id=event.audit_id,
    )
    await repo.add(diagnostic)
    for urn, criterion in referential.criteria.items():
        answer = Answer(
            id=str(uuid.uuid4()),
            diagnostic_id=diagnostic.id,
            criterion_urn=urn,
            updated_by=actor,
        )
        previous = fallback.get(urn)
        if urn in evaluated:
            answer.level = evaluated[urn]
            answer.comment = "Niveau évalué par l'auditeur."
            by_source["auditor"].append(criterion.code)
        elif previous is not None and (previous.not_applicable or previous.level is not None):
            answer.level = None if previous.not_applicable else previous.level
            answer.not_applicable = previous.not_applicable
            answer.not_applicable_reason = previous.not_applicable_reason
            answer.carried_from = previous.diagnostic_id
            answer.comment = "Non évalué par l'auditeur : notation de l'auto-évaluation reprise."
            by_source["self_assessment"].append(criterion.code)
        else:
            answer.level = DEFAULT_LEVEL
            answer.comment = (
                "Non évalué par l'auditeur et sans auto-évaluation : noté 0 (Non engagé)."
            )
            by_source["default"].append(criterion.code)
        await repo.add_answer(answer)
    diagnostic.audit_evaluation = {
        "audit_id": event.audit_id,
        "audit_type": event.audit_type,
        "certification_body_id": event.certification_body_id,
        "submitted_at": event.submitted_at.isoformat(),
        "self_assessment_id": own.id if own else None,
        "ratings": by_source,
        "ignored": ignored,
    }
    await repo.flush()
    await diagnostics.record_completion(session, diagnostic, actor=actor)
    await repo.flush()
    logger.info(
        "audit %s: audit evaluation %s recorded (%d criteria from the auditor)",
        event.audit_id,
        diagnostic.id,
        len(by_source["auditor"]),
    )
    return diagnostic
