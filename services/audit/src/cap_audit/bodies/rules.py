"""Rules of auditors' qualifications. Pure."""

from __future__ import annotations

from datetime import date

from cap_audit.audits.rules import Scheme
from cap_shared.problems import ProblemError


class NotQualified(ProblemError):
    """The auditor holds no valid qualification for the scheme on the audit's dates."""

    status, code, title = 422, "auditor-not-qualified", "Auditor not qualified"
    title_fr = "Auditeur non qualifié"


def qualified(qualifications: list[dict[str, str]], scheme: Scheme, start: date, end: date) -> bool:
    """Whether one qualification for ``scheme`` covers the whole audit."""
    return any(
        q.get("scheme") == scheme.value
        and date.fromisoformat(q["valid_from"]) <= start
        and end <= date.fromisoformat(q["valid_until"])
        for q in qualifications
    )


class UnknownReference(ProblemError):
    """A body, auditor or organisation named in the request does not exist."""

    status, code, title = 422, "unknown-reference", "Unknown reference"
    title_fr = "Référence inconnue"
