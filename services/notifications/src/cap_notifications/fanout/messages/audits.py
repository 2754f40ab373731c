"""The wording of the audit events: requests, plans, reports, findings' deadlines."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cap_notifications.fanout.messages.labels import (
    FEMININE_AUDIT_TYPES,
    FINDING_TYPES,
    Message,
    Wording,
    audit_agree,
    audit_type_label,
    clip,
    days_label,
    finding_type_label,
    format_date,
    plural,
    scheme_of,
    structure,
    suffix,
    upper_first,
)


def _audit_requested(data: Mapping[str, Any], org: str | None) -> Message:
    scheme = scheme_of(data["scheme"])
    audit = audit_type_label(data["audit_type"])
    asked = audit_agree(data["audit_type"], "demandé")
    feminine = data["audit_type"] in FEMININE_AUDIT_TYPES
    due = (
        f" {'Elle' if feminine else 'Il'} doit avoir lieu avant le {format_date(data['due_by'])}."
        if data["due_by"]
        else ""
    )
    return Message(
        title=clip(f"{upper_first(audit)} {asked} ({scheme.noun}){suffix(org)}"),
        body=(
            f"{'Une' if feminine else 'Un'} {audit} pour {scheme.the} de {structure(org)} a été "
            f"{asked} à l'organisme certificateur {data['certification_body_id']}.{due}"
        ),
        link=f"/audits/{data['audit_id']}",
    )


def _audit_dates(data: Mapping[str, Any]) -> str:
    start, end = format_date(data["start_date"]), format_date(data["end_date"])
    return f"le {start}" if start == end else f"du {start} au {end}"


def _audit_planned(data: Mapping[str, Any], org: str | None) -> Message:
    scheme = scheme_of(data["scheme"])
    audit = audit_type_label(data["audit_type"])
    team = len(data["auditor_ids"])
    planned = audit_agree(data["audit_type"], "planifié")
    return Message(
        title=clip(f"{upper_first(audit)} {planned} {_audit_dates(data)}{suffix(org)}"),
        body=(
            f"L'{audit} ({scheme.noun}) de {structure(org)} est {planned} {_audit_dates(data)} "
            f"par l'organisme certificateur {data['certification_body_id']}, avec "
            f"{plural(team, 'auditeur', 'auditeurs')}."
        ),
        link=f"/audits/{data['audit_id']}",
    )


def _findings_summary(summary: Mapping[str, int]) -> str:
    parts = [
        f"{summary[code]} {finding_type_label(code, summary[code])}"
        for code in FINDING_TYPES
        if summary.get(code)
    ]
    return ", ".join(parts) if parts else "aucun constat"


def _audit_report_submitted(data: Mapping[str, Any], org: str | None) -> Message:
    scheme = scheme_of(data["scheme"])
    audit = audit_type_label(data["audit_type"])
    summary: Mapping[str, int] = data["summary"]
    nonconformities = summary.get("major_nc", 0) + summary.get("minor_nc", 0)
    follow_up = (
        " Chaque non-conformité appelle une réponse avant la date indiquée dans le rapport."
        if nonconformities
        else ""
    )
    return Message(
        title=clip(f"Rapport d'audit déposé ({scheme.noun}){suffix(org)}"),
        body=(
            f"Le rapport de l'{audit} ({scheme.noun}) de {structure(org)} a été déposé le "
            f"{format_date(data['submitted_at'])} : {_findings_summary(summary)}.{follow_up}"
        ),
        link=f"/audits/{data['audit_id']}",
    )


def _finding_response_due(data: Mapping[str, Any], org: str | None) -> Message:
    kind = finding_type_label(data["type"])
    due = format_date(data["response_due"])
    days = int(data["days"])
    if data["stage"] == "verification_overdue":
        late = f", {days_label(days)} de retard" if days > 0 else ""
        return Message(
            title=clip(f"Vérification en retard d'une {kind} : {data['title']}"),
            body=(
                f"La {kind} « {data['title']} » relevée chez {structure(org)} a reçu une "
                f"réponse, mais elle n'a pas été vérifiée dans le délai prévu (échéance du "
                f"{due}{late}). Tant qu'elle n'est pas vérifiée et close, aucune décision ne "
                "peut prendre effet et le label ou la certification en vigueur peut être "
                "suspendu."
            ),
            link=f"/findings/{data['finding_id']}",
        )
    if data["stage"] == "overdue":
        consequence = (
            " Une non-conformité majeure sans réponse peut entraîner la suspension du label ou "
            "de la certification."
            if data["type"] == "major_nc"
            else ""
        )
        return Message(
            title=clip(f"Réponse en retard à une {kind} : {data['title']}"),
            body=(
                f"La réponse à la {kind} « {data['title']} » relevée chez {structure(org)} "
                f"était attendue le {due} ; elle a {days_label(days)} de retard.{consequence}"
            ),
            link=f"/findings/{data['finding_id']}",
        )
    when = "aujourd'hui" if days <= 0 else f"dans {days_label(days)}"
    return Message(
        title=clip(f"Réponse attendue avant le {due} : {data['title']}"),
        body=(
            f"La {kind} « {data['title']} » relevée chez {structure(org)} attend une réponse "
            f"avant le {due} ({when}) : analyse des causes et plan d'actions correctives."
        ),
        link=f"/findings/{data['finding_id']}",
    )


#: The wording of each event type of this module.
WORDINGS: dict[str, Wording] = {
    "audit.requested.v1": _audit_requested,
    "audit.planned.v1": _audit_planned,
    "audit.report_submitted.v1": _audit_report_submitted,
    "finding.response_due.v1": _finding_response_due,
}
