"""The CAP RSE level of a decision file: the level rule of the evaluation's referential version
(:mod:`cap_labelling.level_rules.rules`, stored data: :mod:`cap_labelling.level_rules.service`) applied to every
structure of the file, from the auditor's evaluation of that structure in the deciding audit
only (kind ``audit_evaluation``, every applicable criterion rated; never the structure's own
assessment), then the group rule (``LABELLING_GROUP_RULE``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from cap_labelling.decisions.rules import on_its_way
from cap_labelling.level_rules import rules as level_rule
from cap_labelling.level_rules import service as rulebook
from cap_labelling.level_rules.rules import LevelRule
from cap_labelling.models import AuditReport, DecisionFile
from cap_labelling.repository import (
    AuditReportRepository,
    DiagnosticRepository,
    NonconformityRepository,
)
from cap_labelling.rules import Scheme
from cap_shared.db.rowsecurity import across_organisations


async def _member_result(
    session: AsyncSession, file: DecisionFile, member: str, report: AuditReport | None
) -> dict[str, Any]:
    """The level rule applied to one structure of the file, from the **auditor's evaluation**
    of that structure in the deciding audit only (the third party's, ``docs/domain/domain.md`` §7.6 C:
    never the structure's own assessment), with what is missing for a decision."""
    majors = await NonconformityRepository(session).count_open_majors(
        member, scheme=Scheme.CAP_RSE.value
    )
    evaluation = (
        await DiagnosticRepository(session).audit_evaluation(
            audit_id=file.audit_id, organisation_id=member
        )
        if file.audit_id
        else None
    )
    if evaluation is None:
        pending = on_its_way(report, member)
        return {
            "level": None,
            "open_major_nc": majors,
            "source": None,
            "audit_id": file.audit_id,
            "pending": pending,
            "missing": {"audit_evaluation": file.audit_id},
            "reasons": [
                "the auditor's evaluation of this structure is being scored"
                if pending
                else "the auditor did not evaluate this structure in the deciding audit"
            ],
            "reasons_fr": [
                "l'évaluation de cette structure par l'auditeur est en cours de notation"
                if pending
                else "l'auditeur n'a pas évalué cette structure dans l'audit qui décide"
            ],
        }
    source = {
        "source": evaluation.kind,
        "diagnostic_id": evaluation.diagnostic_id,
        "audit_id": evaluation.audit_id,
        "completed_at": evaluation.completed_at.isoformat(),
        "referential_version": evaluation.referential_version,
    }
    unrated = [
        str(c.get("code") or c.get("urn"))
        for c in evaluation.criteria
        if c.get("level") is None and not c.get("not_applicable")
    ]
    if unrated:
        return {
            "level": None,
            "open_major_nc": majors,
            **source,
            "missing": {"unrated_criteria": unrated},
            "reasons": [
                f"{len(unrated)} applicable criteria not rated by the auditor: "
                + ", ".join(unrated[:20])
                + (", ..." if len(unrated) > 20 else "")
            ],
            "reasons_fr": [
                f"{len(unrated)} critère(s) applicable(s) non noté(s) par l'auditeur : "
                + ", ".join(unrated[:20])
                + (", ..." if len(unrated) > 20 else "")
            ],
        }
    # The rule of the evaluation's referential version (data, imported like referentials).
    stored = await rulebook.current(
        session, code=evaluation.referential_code, version=evaluation.referential_version
    )
    if stored is None:
        return {
            "level": None,
            "open_major_nc": majors,
            **source,
            "rule": None,
            "reasons": [
                f"no level rule for {evaluation.referential_code} v{evaluation.referential_version}"
            ],
            "reasons_fr": [
                "aucune règle de niveau pour "
                f"{evaluation.referential_code} v{evaluation.referential_version}"
            ],
        }
    rule = stored.rule
    subjects = {
        group["code"]: group.get("score")
        for group in evaluation.scores.get("frameworks", {}).get(rule.framework, [])
    }
    overall = evaluation.scores.get("overall", {}).get("score")
    core = {
        str(c.get("code")): c.get("level")
        for c in evaluation.criteria
        if c.get("core") and not c.get("not_applicable")
    }
    result = level_rule.compute(rule, overall, subjects, majors, core)
    return {**result.as_dict(), **source, "rule": stored.reference()}


async def rule_of(session: AsyncSession, evaluation: dict[str, Any]) -> LevelRule | None:
    """The level rule a file's evaluation was computed with (its central function's)."""
    central = (evaluation.get("members") or {}).get(evaluation.get("central_function"), {})
    reference = central.get("rule") if isinstance(central, dict) else None
    if not reference:
        return None
    stored = await rulebook.current(
        session, code=reference["referential_code"], version=reference["referential_version"]
    )
    return stored.rule if stored is not None else None


async def evaluate(
    session: AsyncSession, file: DecisionFile, *, group_rule: str
) -> dict[str, Any] | None:
    """The CAP RSE level rule applied to every structure of the file, then the group rule.

    Each structure (the applicant and every group member) needs the auditor's evaluation of it
    in the deciding audit, every applicable criterion rated: ``evaluation_pending`` while its
    scores are on their way, ``incomplete`` (per structure: what is missing) otherwise.
    """
    if file.scheme != Scheme.CAP_RSE:
        return None
    members = [file.organisation_id, *file.group_member_ids]
    # Every structure of the group, past the database's row scope: what each reader sees of the
    # others is cut by for_reader (their result, not their scores).
    async with across_organisations(session):
        report = await AuditReportRepository(session).get(file.audit_id)
        results = {m: await _member_result(session, file, m, report) for m in members}
    evaluation: dict[str, Any] = {
        "level": None,
        "central_function": file.organisation_id,
        "group_rule": group_rule if file.group_member_ids else None,
        "excluded_member_ids": [],
        "members": results,
    }
    if any(r.get("pending") for r in results.values()):
        evaluation["evaluation_pending"] = file.audit_id
    incomplete = {
        m: r["missing"] for m, r in results.items() if r.get("missing") and not r.get("pending")
    }
    if incomplete:
        evaluation["incomplete"] = incomplete
    if "evaluation_pending" in evaluation or incomplete:
        return evaluation
    # A group is labelled under its central function's rule, at its weakest member's level.
    rule = await rule_of(session, evaluation)
    failing = [
        m
        for m in members
        if results[m]["level"] is None or rule is None or results[m]["level"] not in rule.labels
    ]
    if rule is None or file.organisation_id in failing:
        return evaluation
    if failing and group_rule == "all_members":
        return evaluation
    passing = [results[m]["level"] for m in members if m not in failing]
    evaluation["level"] = level_rule.lowest(rule, passing)
    evaluation["excluded_member_ids"] = failing
    return evaluation
