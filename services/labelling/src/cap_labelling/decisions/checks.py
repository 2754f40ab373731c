"""The impartiality checks of the person about to decide on a file, each with its result: did
they audit it (ISO/IEC 17021-1 §9.5.1), did they give one of its structures consultancy,
accompaniment or training within the cooling-off (§5.2.11), was their decision on it overturned
on appeal (§9.7). The same checks :func:`cap_labelling.decisions.service.decide` enforces, shown
before deciding rather than learnt from a refusal."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from cap_labelling import rules
from cap_labelling.config import Settings
from cap_labelling.decisions import service as decisions
from cap_labelling.decisions.rules import AUDITED_RULE
from cap_labelling.decisions.schemas import DecisionChecks, ImpartialityCheck
from cap_labelling.impartiality import service as impartiality
from cap_labelling.repository import AuditReportRepository
from cap_shared.security import Principal


async def of_caller(
    session: AsyncSession,
    principal: Principal,
    *,
    file_id: str,
    settings: Settings,
    today: date,
) -> DecisionChecks:
    """The caller's impartiality checks against a file they may see."""
    file = await decisions.get(session, principal, file_id=file_id)
    report = await AuditReportRepository(session).get(file.audit_id)
    audited = report is not None and bool(
        {principal.subject, principal.user_id} & set(report.auditor_user_ids)
    )
    barring = await impartiality.barring(
        session,
        principal,
        organisation_ids=[file.organisation_id, *file.group_member_ids],
        today=today,
        cooling_off_months=settings.scheme_parameters(file.scheme).cooling_off_months,
    )
    overturned = principal.subject in {
        step["previous"].get("decided_by")
        for step in file.steps
        if step.get("step") == "appeal_overturned" and isinstance(step.get("previous"), dict)
    }
    until = max((u for _e, u in barring if u is not None), default=None)
    checks = [
        ImpartialityCheck(
            check="audited",
            rule=AUDITED_RULE,
            passed=not audited,
            detail="you audited this file" if audited else "you did not audit this file",
            detail_fr="vous avez audité ce dossier"
            if audited
            else "vous n'avez pas audité ce dossier",
        ),
        ImpartialityCheck(
            check="cooling_off",
            rule=rules.COOLING_OFF_RULE,
            passed=not barring,
            detail=f"{len(barring)} engagement(s) with the file's structures within the cooling-off"
            if barring
            else "no engagement with the file's structures within the cooling-off",
            detail_fr=f"{len(barring)} engagement(s) auprès des structures du dossier pendant "
            "le délai de carence"
            if barring
            else "aucun engagement auprès des structures du dossier pendant le délai de carence",
            engagements=[impartiality.to_public(e) for e, _until in barring],
            barred_until=until,
        ),
        ImpartialityCheck(
            check="overturned_on_appeal",
            rule=rules.APPEAL_RULE,
            passed=not overturned,
            detail="your decision on this file was overturned on appeal"
            if overturned
            else "no decision of yours on this file was overturned",
            detail_fr="votre décision sur ce dossier a été infirmée sur recours"
            if overturned
            else "aucune décision de votre part sur ce dossier n'a été infirmée",
        ),
    ]
    return DecisionChecks(
        decision_id=file.id,
        person=principal.subject,
        impartial=all(c.passed for c in checks),
        checks=checks,
    )
