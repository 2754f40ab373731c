"""Decision files as the API shows them: one file (``GET``, a decision's answer, the If-Match
check) or a page of them, each as its caller may see it, in a constant number of queries."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from cap_labelling import rules, visibility
from cap_labelling.appeals.repository import AppealRepository
from cap_labelling.appeals.schemas import AppealPublic
from cap_labelling.config import Settings
from cap_labelling.decisions.evaluation import evaluate_all
from cap_labelling.decisions.rules import for_reader
from cap_labelling.decisions.schemas import DecisionPublic
from cap_labelling.models import DecisionAppeal, DecisionFile, Nonconformity
from cap_labelling.repository import NonconformityRepository
from cap_labelling.rules import DecisionStatus
from cap_shared.conditional import Precondition, etag_of
from cap_shared.security import Principal


def to_public(
    file: DecisionFile,
    evaluation: dict[str, Any] | None,
    *,
    open_majors: list[Nonconformity] | None = None,
    appeals: list[DecisionAppeal] | None = None,
) -> DecisionPublic:
    """A file as the API shows it."""
    hold = None
    if file.held is not None:
        hold = {
            **file.held,
            "open_majors": [
                {
                    "finding_id": m.finding_id,
                    "status": m.status,
                    "response_due": m.response_due,
                    "overdue": m.overdue,
                }
                for m in open_majors or []
            ],
        }
    return DecisionPublic(
        hold=hold,
        round=file.round,
        appeals=[AppealPublic.model_validate(a, from_attributes=True) for a in appeals or []],
        id=file.id,
        application_id=file.application_id,
        organisation_id=file.organisation_id,
        group_member_ids=file.group_member_ids,
        scheme=file.scheme,
        certification_body_id=file.certification_body_id,
        kind=file.kind,
        status=file.status,
        audit_id=file.audit_id,
        renews_id=file.renews_id,
        evaluation=evaluation,
        computed_level=file.computed_level
        if file.computed is not None
        else (evaluation or {}).get("level"),
        level=file.level,
        decided_on=file.decided_on,
        decided_by=file.decided_by,
        reason=file.reason,
        steps=file.steps,
        recognition_id=file.recognition_id,
    )


async def out(
    session: AsyncSession,
    file: DecisionFile,
    *,
    settings: Settings,
    principal: Principal,
    live: dict[str, Any] | None = None,
) -> DecisionPublic:
    """A file with its stored evaluation (decided) or the live one (open), as the caller may
    see it (a group's structures see each other's result, not each other's scores). ``live``:
    the live evaluation when the caller just computed it (not computed again)."""
    (public,) = await out_all(
        session,
        [file],
        settings=settings,
        principal=principal,
        live={file.id: live} if live else None,
    )
    return public


async def out_all(
    session: AsyncSession,
    files: list[DecisionFile],
    *,
    settings: Settings,
    principal: Principal,
    live: Mapping[str, dict[str, Any]] | None = None,
) -> list[DecisionPublic]:
    """:func:`out` of each file, in order, in a constant number of queries whatever their
    number (the committee's list): each kind of row the answers show is read once for all."""
    live = live or {}
    open_files = [
        f
        for f in files
        if f.computed is None
        and DecisionStatus(f.status) in rules.OPEN_DECISIONS
        and not live.get(f.id)
    ]
    evaluated = (
        await evaluate_all(session, open_files, group_rule=settings.group_rule)
        if open_files
        else {}
    )
    readers = (
        await visibility.readable(session, principal)
        if any(not visibility.body_sees(principal, f.certification_body_id) for f in files)
        else None
    )
    held = [f.audit_id for f in files if f.status == DecisionStatus.HELD and f.audit_id]
    majors = await NonconformityRepository(session).open_majors_of_audits(held) if held else {}
    appeals = await AppealRepository(session).of_files([f.id for f in files]) if files else {}
    answers = []
    for file in files:
        evaluation = file.computed
        if evaluation is None and DecisionStatus(file.status) in rules.OPEN_DECISIONS:
            evaluation = live.get(file.id) or evaluated[file.id]
        if not visibility.body_sees(principal, file.certification_body_id):
            evaluation = for_reader(evaluation, readers)
        answers.append(
            to_public(
                file,
                evaluation,
                open_majors=majors.get(file.audit_id)
                if file.status == DecisionStatus.HELD and file.audit_id
                else None,
                appeals=appeals[file.id],
            )
        )
    return answers


async def expect(
    session: AsyncSession,
    file: DecisionFile,
    *,
    settings: Settings,
    principal: Principal,
    precondition: Precondition | None,
    live: dict[str, Any] | None = None,
) -> None:
    """412/428 unless If-Match names the file's ETag as ``GET`` shows it to ``principal``
    (``live``: its live evaluation, already computed). Without If-Match where none is
    required, nothing is checked: the file is not evaluated for its ETag."""
    if precondition is not None and (precondition.if_match is not None or precondition.required):
        precondition.check(
            etag_of(await out(session, file, settings=settings, principal=principal, live=live))
        )
