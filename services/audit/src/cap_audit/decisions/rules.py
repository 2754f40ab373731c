"""Rules of the certification decision (CAP ISO 9001, ISO/IEC 17021-1 §9.5). Pure.

The body decides, the platform records it, on a stage 2 or renewal audit whose report was
submitted, once; the decision maker took no part in the audit; a grant carries its
certificate number, a refusal its reason.
"""

from __future__ import annotations

from cap_audit.audits.rules import AuditStatus, AuditType, InvalidTransition, RuleViolation, Scheme
from cap_shared.problems import Conflict, ProblemError

RULE_DECIDER = "ISO/IEC 17021-1 §9.5.1.2 the decision maker did not audit"


# certification decision ----------------------------------------------------------------------
#: The audits a CAP ISO 9001 certification decision is taken on.
DECIDABLE_TYPES = frozenset({AuditType.STAGE2, AuditType.RENEWAL})
#: An audit is decided on once its report is submitted.
REPORTED = frozenset({AuditStatus.REPORT_SUBMITTED, AuditStatus.CLOSED})


class AlreadyDecided(Conflict):
    """The body's decision on this audit is already recorded."""

    code, title = "already-decided", "Already decided"
    title_fr = "Déjà décidé"


class DeciderNotImpartial(ProblemError):
    """The decision maker is one of the audit's auditors (ISO/IEC 17021-1 §9.5.1.2)."""

    status, code, title = 422, "not-impartial", "Decision maker not impartial"
    title_fr = "Décideur non impartial"


def may_decide(
    scheme: Scheme, audit_type: AuditType, status: AuditStatus, *, decided: str | None
) -> None:
    """A decision on a CAP ISO 9001 stage 2 or renewal audit whose report is submitted, once
    (``decided``: the outcome already recorded, if any)."""
    if scheme is not Scheme.CAP_ISO9001 or audit_type not in DECIDABLE_TYPES:
        raise RuleViolation(
            "a certification decision is taken on a CAP_ISO9001 stage2 or renewal audit, "
            f"not on a {scheme.value} {audit_type.value} audit",
            detail_fr=(
                "une décision de certification se prend sur un audit CAP_ISO9001 "
                f"d'étape 2 ou de renouvellement, pas sur un audit {scheme.value} "
                f"{audit_type.value}"
            ),
            extensions={"scheme": scheme.value, "audit_type": audit_type.value},
        )
    if status not in REPORTED:
        raise InvalidTransition(
            f"the decision comes after the audit's report, and the audit is {status.value}",
            detail_fr=(
                "la décision vient après le rapport d'audit, et l'audit est à "
                f"l'état « {status.value} »"
            ),
            extensions={"status": status.value},
        )
    if decided is not None:
        raise AlreadyDecided(
            f"the certification decision on this audit is recorded ({decided})",
            detail_fr=(
                f"la décision de certification sur cet audit est déjà enregistrée ({decided})"
            ),
            extensions={"outcome": decided},
        )


#: What :func:`decision_gaps` says, in French.
DECISION_GAPS_FR = {
    "a granted certification needs its certificate_number": (
        "une certification accordée demande son certificate_number"
    ),
    "a refusal needs its reason": "un refus demande son motif (reason)",
    "a refusal carries no certificate_number": "un refus ne porte pas de certificate_number",
}


def decision_gaps(outcome: str, certificate_number: str | None, reason: str | None) -> list[str]:
    """What a decision lacks (or must not carry): a grant needs its certificate number, a
    refusal its reason and no certificate number. Empty when complete."""
    gaps = []
    if outcome == "granted" and not (certificate_number or "").strip():
        gaps.append("a granted certification needs its certificate_number")
    if outcome == "refused":
        if not (reason or "").strip():
            gaps.append("a refusal needs its reason")
        if certificate_number is not None:
            gaps.append("a refusal carries no certificate_number")
    return gaps
