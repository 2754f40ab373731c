"""The auditor's CAP RSE evaluation, recorded as a diagnostic of kind ``audit_evaluation``.

The CAP RSE level is computed from the third-party evaluation only (``docs/domain/domain.md`` §7.6 C: the
evaluator is not the structure, the level comes from scores). The audit report
(``audit.report_submitted.v1``) carries the auditor's evaluated maturity per criterion and per
site; this service owns the referentials and the scoring, so it turns it into diagnostics scored
like any other and completed through the same path, which publishes the same
``diagnostic.completed.v1`` (``kind: audit_evaluation``, ``audit_id``). The labelling service
reads the level from them.

Rules:

* only a CAP RSE report with evaluated maturity records evaluations: **one per (audit, site)**.
  The sites are the audited organisation (the central function of a group) and each member in
  the report's ``site_ids``; an item with ``site_id`` null (or the audited organisation's id)
  belongs to the audited organisation, another to that member. Every audited site gets its
  evaluation, even one the auditor rated nothing on (then every criterion is unrated), so the
  labelling service finds one for each site it must decide on. Once per (audit, site): the pair
  is unique, a redelivered or replayed report records nothing more;
* **the auditor's ratings only**: a criterion the auditor evaluated takes the auditor's level, or
  is not applicable when the auditor judged it so; one the auditor did not evaluate stays
  **unrated** (no level). Nothing is copied from the structure's self-assessment and nothing is
  rated 0 by default: a level rests on what the third party saw (the labelling service refuses a
  decision while an applicable criterion is unrated);
* the referential version is the one of the audited organisation's latest completed CAP RSE
  assessment of its own (self-assessment or facilitated session), else the latest imported CAP
  RSE version; that assessment chooses the version for every site of the audit (the auditor
  evaluates a group against one referential), never a rating;
* bad data from another service is ignored with a warning and listed in the record (the report's
  findings still become actions, so the whole event is not dead-lettered): an unknown criterion,
  a level outside the criterion's scale, a criterion evaluated twice for one site (the first
  counts), an item for a site that is not one of the report's (listed in the audited
  organisation's record). An evaluation is recorded even when nothing usable is left;
* scoring (``diagnostics/rules/scoring.py``) leaves unrated criteria out of both sides of the ratio, like not
  applicable ones: the scores say how the evaluated criteria stand, each group's ``rated`` /
  ``total`` say how much was evaluated, a group with nothing evaluated has no score, and the
  unrated criteria are listed in the record and published with no level;
* an evaluation is created ``rated`` and never moves (``lifecycle.RECORDS``): the structure reads
  it like its other diagnostics and cannot change it.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from cap_diagnostic.diagnostics import completion
from cap_diagnostic.diagnostics.repository import DiagnosticRepository
from cap_diagnostic.diagnostics.rules import lifecycle
from cap_diagnostic.diagnostics.rules.lifecycle import Kind, Status
from cap_diagnostic.models import Answer, Diagnostic, Organisation, ReferentialVersion
from cap_diagnostic.referentials import service as referentials
from cap_diagnostic.referentials.model import ResolvedReferential
from cap_diagnostic.referentials.repository import ReferentialRepository
from cap_shared.contracts import Envelope
from cap_shared.contracts.audit import AuditReportSubmittedV1, EvaluatedMaturityV1
from cap_shared.readmodel import ReadModelRepository

logger = logging.getLogger(__name__)

REFERENTIAL = "CAP_RSE"


async def on_audit_report(
    session: AsyncSession, envelope: Envelope, event: AuditReportSubmittedV1
) -> list[Diagnostic]:
    """Record a CAP RSE report's evaluated maturity as one completed, scored audit evaluation per
    audited site (once per audit and site); the evaluations recorded now (none for another
    scheme, a report without evaluated maturity, or a replay)."""
    if event.scheme != REFERENTIAL or not event.evaluated_maturity:
        return []
    repo = DiagnosticRepository(session)
    sites = await _sites(session, event)
    recorded = {d.organisation_id for d in await repo.by_audit(event.audit_id)}
    if recorded >= set(sites):
        return []  # already recorded: a redelivered or replayed report changes nothing
    audited = sites[event.organisation_id]
    own = await repo.latest_assessment(
        audited.id, REFERENTIAL, excluding_kinds=[k.value for k in lifecycle.RECORDS]
    )
    stored = (
        await ReferentialRepository(session).get(own.referential_id)
        if own is not None
        else await referentials.get_version(session, REFERENTIAL, version=None)
    )
    assert stored is not None  # a diagnostic's version is never deleted
    referential = await referentials.resolved(session, stored.id)
    evaluated, ignored = _sort_items(event, referential, sites)
    actor = (envelope.actor or f"audit:{event.audit_id}")[:200]
    made: list[Diagnostic] = []
    for site_id, site in sites.items():
        if site_id in recorded:
            continue
        made.append(
            await _record(
                session,
                event,
                site=site,
                central=site_id == audited.id,
                stored=stored,
                referential=referential,
                items=evaluated[site_id],
                ignored=ignored[site_id],
                version_from=own.id if own else None,
                actor=actor,
            )
        )
    return made


async def _sites(session: AsyncSession, event: AuditReportSubmittedV1) -> dict[str, Organisation]:
    """The audited organisation first, then each member site of the report, from the read model
    (an organisation not known yet is retried: its registration event is on its way)."""
    organisations = ReadModelRepository(session, Organisation)
    sites: dict[str, Organisation] = {}
    for organisation_id in [event.organisation_id, *event.site_ids]:
        if organisation_id in sites:
            continue
        organisation = await organisations.get(organisation_id)
        if organisation is None:
            raise LookupError(f"organisation {organisation_id} not known yet")  # retried
        sites[organisation_id] = organisation
    return sites


def _sort_items(
    event: AuditReportSubmittedV1,
    referential: ResolvedReferential,
    sites: dict[str, Organisation],
) -> tuple[dict[str, dict[str, EvaluatedMaturityV1]], dict[str, list[dict[str, Any]]]]:
    """The usable items per site and criterion, and the ignored ones per site (an item for an
    unknown site is listed with the audited organisation)."""
    evaluated: dict[str, dict[str, EvaluatedMaturityV1]] = {s: {} for s in sites}
    ignored: dict[str, list[dict[str, Any]]] = {s: [] for s in sites}
    for item in event.evaluated_maturity:
        site_id = item.site_id or event.organisation_id
        criterion = referential.criteria.get(item.criterion_urn)
        if site_id not in sites:
            site_id, reason = event.organisation_id, "unknown site: not one of the report's sites"
        elif criterion is None:
            reason = f"unknown criterion in {referential.code} v{referential.version}"
        elif not item.not_applicable and item.level > criterion.max_level:
            reason = f"level outside the scale 0-{criterion.max_level} of {criterion.code}"
        elif item.criterion_urn in evaluated[site_id]:
            reason = f"{criterion.code} evaluated twice for this site: the first one counts"
        else:
            evaluated[site_id][item.criterion_urn] = item
            continue
        logger.warning(
            "audit %s: evaluated maturity %s level %s (site %s) ignored (%s)",
            event.audit_id,
            item.criterion_urn,
            item.level,
            item.site_id,
            reason,
        )
        ignored[site_id].append(
            {
                "criterion_urn": item.criterion_urn,
                "level": item.level,
                "not_applicable": item.not_applicable,
                "site_id": item.site_id,
                "reason": reason,
            }
        )
    return evaluated, ignored


async def _record(
    session: AsyncSession,
    event: AuditReportSubmittedV1,
    *,
    site: Organisation,
    central: bool,
    stored: ReferentialVersion,
    referential: ResolvedReferential,
    items: dict[str, EvaluatedMaturityV1],
    ignored: list[dict[str, Any]],
    version_from: str | None,
    actor: str,
) -> Diagnostic:
    """One site's evaluation: the auditor's ratings, the rest unrated; scored and completed."""
    repo = DiagnosticRepository(session)
    diagnostic = Diagnostic(
        id=str(uuid.uuid4()),
        organisation_id=site.id,
        referential_id=stored.id,
        kind=Kind.AUDIT_EVALUATION.value,
        status=Status.RATED.value,
        title=f"Évaluation de l'auditeur — {stored.name} — {site.name}"[:200],
        session_date=event.last_day or event.submitted_at.date(),
        created_by=actor,
        audit_id=event.audit_id,
    )
    await repo.add(diagnostic)
    by_source: dict[str, list[str]] = {"auditor": [], "not_applicable": [], "unrated": []}
    for urn, criterion in referential.criteria.items():
        answer = Answer(
            id=str(uuid.uuid4()), diagnostic_id=diagnostic.id, criterion_urn=urn, updated_by=actor
        )
        item = items.get(urn)
        if item is None:
            answer.comment = "Non évalué par l'auditeur : critère non noté."
            by_source["unrated"].append(criterion.code)
        elif item.not_applicable:
            answer.not_applicable = True
            answer.not_applicable_reason = "Jugé non applicable par l'auditeur."
            answer.comment = answer.not_applicable_reason
            by_source["not_applicable"].append(criterion.code)
        else:
            answer.level = item.level
            answer.comment = "Niveau évalué par l'auditeur."
            by_source["auditor"].append(criterion.code)
        await repo.add_answer(answer)
    diagnostic.audit_evaluation = {
        "audit_id": event.audit_id,
        "audit_type": event.audit_type,
        "certification_body_id": event.certification_body_id,
        "submitted_at": event.submitted_at.isoformat(),
        "audited_organisation_id": event.organisation_id,
        "site_id": None if central else site.id,
        # The assessment whose referential version the evaluation is on (never its ratings).
        "self_assessment_id": version_from,
        "ratings": by_source,
        "ignored": ignored,
    }
    await repo.flush()
    await completion.record_completion(session, diagnostic, actor=actor, allow_unrated=True)
    await repo.flush()
    logger.info(
        "audit %s: audit evaluation %s of %s recorded (%d rated by the auditor, %d unrated)",
        event.audit_id,
        diagnostic.id,
        site.id,
        len(by_source["auditor"]),
        len(by_source["unrated"]),
    )
    return diagnostic
