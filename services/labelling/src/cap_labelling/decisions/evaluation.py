"""The CAP RSE level of a decision file: the level rule of the evaluation's referential version
(:mod:`cap_labelling.level_rules.rules`, stored data: :mod:`cap_labelling.level_rules.service`) applied to every
structure of the file, from the auditor's evaluation of that structure in the deciding audit
only (kind ``audit_evaluation``, every applicable criterion rated; never the structure's own
assessment), then the group rule (``LABELLING_GROUP_RULE``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from cap_labelling.decisions.rules import on_its_way
from cap_labelling.level_rules import rules as level_rule
from cap_labelling.level_rules import service as rulebook
from cap_labelling.level_rules.rules import LevelRule
from cap_labelling.level_rules.service import StoredRule
from cap_labelling.models import AuditReport, CompletedDiagnostic, DecisionFile
from cap_labelling.repository import (
    AuditReportRepository,
    DiagnosticRepository,
    NonconformityRepository,
)
from cap_labelling.rules import Scheme
from cap_shared.db.rowsecurity import across_organisations


@dataclass(frozen=True)
class _Read:
    """What the level rule reads for a page of files, each kind in one query: the deciding
    reports, the open majors per structure, the auditor's evaluations, the rules they need."""

    reports: dict[str, AuditReport]
    majors: dict[str, int]
    evaluations: dict[tuple[str, str], CompletedDiagnostic]
    rules: dict[tuple[str, int], StoredRule | None]


def _unrated(evaluation: CompletedDiagnostic) -> list[str]:
    """The applicable criteria the auditor did not rate."""
    return [
        str(c.get("code") or c.get("urn"))
        for c in evaluation.criteria
        if c.get("level") is None and not c.get("not_applicable")
    ]


async def _read(session: AsyncSession, files: list[DecisionFile]) -> _Read:
    """What evaluating ``files`` reads, in a constant number of queries whatever their number."""
    audits = {f.audit_id for f in files if f.audit_id}
    members = {m for f in files for m in (f.organisation_id, *f.group_member_ids)}
    reports = await AuditReportRepository(session).by_ids(audits)
    majors = await NonconformityRepository(session).count_open_majors_of(
        members, scheme=Scheme.CAP_RSE.value
    )
    evaluations = await DiagnosticRepository(session).audit_evaluations(
        audit_ids=audits, organisation_ids=members
    )
    # Only the rules of complete evaluations are applied (so only they are read).
    versions = {
        (e.referential_code, e.referential_version) for e in evaluations.values() if not _unrated(e)
    }
    rules = await rulebook.current_of(session, versions)
    return _Read(reports, majors, evaluations, rules)


def _member_result(file: DecisionFile, member: str, read: _Read) -> dict[str, Any]:
    """The level rule applied to one structure of the file, from the **auditor's evaluation**
    of that structure in the deciding audit only (the third party's, ``docs/domain/domain.md`` §7.6 C:
    never the structure's own assessment), with what is missing for a decision."""
    majors = read.majors[member]
    evaluation = read.evaluations.get((file.audit_id, member)) if file.audit_id else None
    report = read.reports.get(file.audit_id) if file.audit_id else None
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
    unrated = _unrated(evaluation)
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
    stored = read.rules[(evaluation.referential_code, evaluation.referential_version)]
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
    """The CAP RSE level rule applied to every structure of the file, then the group rule
    (:func:`evaluate_all` of one file)."""
    return (await evaluate_all(session, [file], group_rule=group_rule))[file.id]


async def evaluate_all(
    session: AsyncSession, files: list[DecisionFile], *, group_rule: str
) -> dict[str, dict[str, Any] | None]:
    """Each file's evaluation by id (None: not CAP RSE), in a constant number of queries
    whatever the number of files (a page of the committee's list).

    Each structure (the applicant and every group member) needs the auditor's evaluation of it
    in the deciding audit, every applicable criterion rated: ``evaluation_pending`` while its
    scores are on their way, ``incomplete`` (per structure: what is missing) otherwise.
    """
    rse = [f for f in files if f.scheme == Scheme.CAP_RSE]
    evaluations: dict[str, dict[str, Any] | None] = dict.fromkeys((f.id for f in files), None)
    if not rse:
        return evaluations
    # Every structure of the group, past the database's row scope: what each reader sees of the
    # others is cut by for_reader (their result, not their scores).
    async with across_organisations(session):
        read = await _read(session, rse)
    for file in rse:
        evaluations[file.id] = await _group_result(session, file, read, group_rule=group_rule)
    return evaluations


async def _group_result(
    session: AsyncSession, file: DecisionFile, read: _Read, *, group_rule: str
) -> dict[str, Any]:
    """The file's evaluation from its structures' results, under the group rule."""
    members = [file.organisation_id, *file.group_member_ids]
    results = {m: _member_result(file, m, read) for m in members}
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
    # A group is labelled under its central function's rule, at its weakest member's level
    # (read with the structures' rules: no query).
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
