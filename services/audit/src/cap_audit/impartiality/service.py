"""Impartiality of the people who audit and decide (ISO/IEC 17021-1 §5.2).

Consultancy, accompaniment and training given to a structure bar the person from auditing it
and from deciding on it for the scheme's ``cooling_off_months``; having audited it bars nothing
(it is recorded when an audit closes, for the history and for the optional limit on
consecutive cycles led by the same lead auditor). A facilitator's accompanied CAP session
(``diagnostic.completed.v1`` of kind ``cap_session`` with ``facilitator_user_ids``) is an
accompaniment of each listed account: recorded by account, it is matched to auditors through
``Auditor.user_id``, whenever they were registered. Every refusal is a 409 naming the rule, the
person and the engagement.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from cap_audit.audits.rules import SchemeRules
from cap_audit.bodies import service as bodies
from cap_audit.bodies.repository import BodyRepository
from cap_audit.impartiality import rules
from cap_audit.models import Auditor, Engagement
from cap_shared.clock import current
from cap_shared.contracts import Envelope
from cap_shared.contracts.diagnostic import DiagnosticCompletedV1


def _person(auditor: Auditor) -> dict[str, str | None]:
    return {"auditor_id": auditor.id, "user_id": auditor.user_id, "name": auditor.name}


async def check_cooling_off(
    session: AsyncSession,
    auditor: Auditor,
    *,
    organisation_ids: Sequence[str],
    on: date,
    parameters: SchemeRules,
    acting_as: str,
) -> None:
    """Refuse (409 ``auditor-not-impartial``) a person who gave consultancy, accompaniment or
    training to one of ``organisation_ids`` (the organisation, its group members) within the
    cooling-off period before ``on``. ``acting_as``: what they were to do (audit, decide)."""
    engagements = await BodyRepository(session).engagements_of(auditor, organisation_ids)
    barring = rules.barring_engagement(
        (rules.EngagementFact(e.id, e.kind, e.on, e.organisation_id) for e in engagements),
        on=on,
        cooling_off_months=parameters.cooling_off_months,
    )
    if barring is None:
        return
    until = rules.barred_until(barring, parameters.cooling_off_months)
    raise rules.NotImpartial(
        f"{auditor.name} may not {acting_as}: {barring.kind} with the organisation on "
        f"{barring.on.isoformat()}, within {parameters.cooling_off_months} months (until "
        f"{until.isoformat()})",
        detail_fr=(
            f"{auditor.name} ne peut pas intervenir ({acting_as}) : "
            f"{barring.kind} avec la structure le {barring.on.isoformat()}, il "
            f"y a moins de {parameters.cooling_off_months} mois (jusqu'au "
            f"{until.isoformat()})"
        ),
        extensions={
            "rule": rules.RULE_COOLING_OFF,
            "auditor_id": auditor.id,
            "person": _person(auditor),
            "engagement": {
                "id": barring.id,
                "kind": barring.kind,
                "on": barring.on.isoformat(),
                "organisation_id": barring.organisation_id,
            },
            "barred_until": until.isoformat(),
        },
    )


async def check_lead_cycles(
    session: AsyncSession,
    auditor: Auditor,
    *,
    programme_id: str,
    cycle: int,
    parameters: SchemeRules,
) -> None:
    """Refuse a lead auditor who already led the programme's audits in the
    ``max_consecutive_lead_cycles`` cycles right before this one (no limit when unset)."""
    limit = parameters.max_consecutive_lead_cycles
    if limit is None:
        return
    led = await BodyRepository(session).lead_cycles(auditor, programme_id)
    if not rules.lead_limit_reached(led, cycle, limit):
        return
    raise rules.NotImpartial(
        f"{auditor.name} led the {limit} cycle(s) before cycle {cycle}: at most {limit} "
        "consecutive cycles with the same lead auditor",
        detail_fr=(
            f"{auditor.name} a dirigé le ou les {limit} cycles précédant le "
            f"cycle {cycle} : au plus {limit} cycles consécutifs avec le même "
            "auditeur responsable"
        ),
        extensions={
            "rule": rules.RULE_LEAD_CYCLES,
            "auditor_id": auditor.id,
            "person": _person(auditor),
            "engagement": {"kind": "audited", "role": "lead", "cycles": sorted(led)},
            "max_consecutive_lead_cycles": limit,
        },
    )


async def on_diagnostic_completed(
    session: AsyncSession, _envelope: Envelope, event: DiagnosticCompletedV1
) -> None:
    """A facilitator's accompanied CAP session: an accompaniment of each listed account with
    the organisation, on the session day (else the completion day), recorded once."""
    if event.kind != "cap_session" or not event.facilitator_user_ids:
        return
    repo = BodyRepository(session)
    on = event.session_date or event.completed_at.date()
    now = current().now()
    for user_id in sorted(set(event.facilitator_user_ids)):
        # An account id longer than any auditor's ``user_id`` can match nobody.
        if len(user_id) > 36 or await repo.has_session_engagement(user_id, event.diagnostic_id):
            continue
        engagement = Engagement(
            id=str(uuid.uuid4()),
            auditor_id=None,
            user_id=user_id,
            organisation_id=event.organisation_id,
            kind="accompaniment",
            on=on,
            diagnostic_id=event.diagnostic_id,
            note=f"Séance CAP accompagnée (diagnostic {event.diagnostic_id})",
            recorded_by="system:diagnostic",
            recorded_at=now,
        )
        await repo.add(engagement)
        await bodies.record_engagement_change(session, engagement, body_id=None)
