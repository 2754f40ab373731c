"""The wording of the diagnostic and progress-plan events."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cap_notifications.fanout.messages.labels import (
    Message,
    Wording,
    clip,
    days_label,
    format_date,
    priority_label,
    referential_label,
    structure,
    suffix,
    upper_first,
)


def _diagnostic_completed(data: Mapping[str, Any], org: str | None) -> Message:
    referential = referential_label(data["referential"]["code"])
    overall = data["overall"]
    if overall.get("score") is None:
        result = "Aucun critère n'a été évalué : pas de score global."
    else:
        band = f" (niveau {overall['band']})" if overall.get("band") else ""
        result = f"Score global : {overall['score']}/1000{band}."
    if data["kind"] == "audit_evaluation":  # the auditor's, scored from the audit report
        return Message(
            title=clip(f"Évaluation de l'auditeur enregistrée ({referential}){suffix(org)}"),
            body=(
                f"L'évaluation de la maturité de {structure(org)} par l'auditeur a été "
                f"enregistrée le {format_date(data['completed_at'])}. {result} C'est elle qui "
                "fonde le niveau proposé au comité de labellisation."
            ),
            link=f"/diagnostics/{data['diagnostic_id']}",
        )
    noun = "autodiagnostic" if data["kind"] == "self_assessment" else "diagnostic"
    article = "L'" if noun == "autodiagnostic" else "Le "
    return Message(
        title=clip(f"{upper_first(noun)} {referential} terminé{suffix(org)}"),
        body=(
            f"{article}{noun} {referential} de {structure(org)} a été terminé le "
            f"{format_date(data['completed_at'])}. {result} Les résultats par thème et les "
            "recommandations sont disponibles sur la plateforme."
        ),
        link=f"/diagnostics/{data['diagnostic_id']}",
    )


def _action_overdue(data: Mapping[str, Any], org: str | None) -> Message:
    return Message(
        title=clip(f"Action en retard : {data['title']}"),
        body=(
            f"L'action « {data['title']} » du plan de progrès de {structure(org)} devait être "
            f"réalisée le {format_date(data['due_date'])} ; elle a "
            f"{days_label(data['days_overdue'])} de retard (priorité "
            f"{priority_label(data['priority'])})."
        ),
        link=f"/progress-plans/{data['plan_id']}",
    )


def _action_due_soon(data: Mapping[str, Any], org: str | None) -> Message:
    left = int(data["days_left"])
    when = "aujourd'hui" if left == 0 else f"dans {days_label(left)}"
    return Message(
        title=clip(f"Action à réaliser {when} : {data['title']}"),
        body=(
            f"L'action « {data['title']} » du plan de progrès de {structure(org)} est à "
            f"réaliser pour le {format_date(data['due_date'])} ({when} ; priorité "
            f"{priority_label(data['priority'])})."
        ),
        link=f"/progress-plans/{data['plan_id']}",
    )


#: The wording of each event type of this module.
WORDINGS: dict[str, Wording] = {
    "diagnostic.completed.v1": _diagnostic_completed,
    "action.overdue.v1": _action_overdue,
    "action.due_soon.v1": _action_due_soon,
}
