"""The wording of the labelling events: applications, invitations, recognitions, labels,
complaints and the committee's decisions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cap_notifications.fanout.messages.labels import (
    Message,
    Wording,
    clip,
    days_label,
    format_date,
    plural,
    reason_label,
    recognition_change,
    recognition_status_label,
    scheme_of,
    structure,
    suffix,
    upper_first,
)


def _application_accepted(data: Mapping[str, Any], org: str | None) -> Message:
    scheme = scheme_of(data["scheme"])
    members = len(data["group_member_ids"])
    group = (
        f" Elle concerne aussi {plural(members, 'autre structure', 'autres structures')} du groupe."
        if members
        else ""
    )
    return Message(
        title=clip(f"Candidature {scheme.to_the} acceptée{suffix(org)}"),
        body=(
            f"La candidature de {structure(org)} {scheme.to_the} a été acceptée le "
            f"{format_date(data['accepted_at'])}. Le programme d'audit démarre avec l'organisme "
            f"certificateur {data['certification_body_id']}.{group}"
        ),
        link=f"/applications/{data['application_id']}",
    )


def _group_invitation_sent(data: Mapping[str, Any], org: str | None) -> Message:
    scheme = scheme_of(data["scheme"])
    applicant = " ".join(str(data["applicant_name"]).split())
    return Message(
        title=clip(f"Invitation à rejoindre un groupe {scheme.to_the}{suffix(org)}"),
        body=(
            f"La structure {applicant} propose à {structure(org)} de rejoindre sa candidature de "
            f"groupe {scheme.to_the}, auprès de l'organisme certificateur "
            f"{data['certification_body_id']}. Rien de votre structure ne lui est communiqué "
            "tant que vous n'avez pas accepté ; vous pouvez aussi refuser."
        ),
        link=f"/group-invitations/{data['invitation_id']}",
    )


def _recognition_status_changed(data: Mapping[str, Any], org: str | None) -> Message:
    scheme = scheme_of(data["scheme"])
    level = f" (niveau {data['level']})" if data.get("level") else ""
    number = data["number"]
    expiry = format_date(data["expiry_date"])
    reason = reason_label(data.get("reason"))
    because = f" Motif : {reason}." if reason else ""
    change = "scope_reduced" if data.get("reason") == "scope_reduced" else recognition_change(data)
    title: str
    body: str
    match change:
        case "scope_reduced":
            scope = f" Périmètre désormais certifié : {data['scope']}." if data.get("scope") else ""
            in_force = (
                f"{upper_first(scheme.the)} reste valable jusqu'au {expiry} pour ce périmètre."
                if data["status"] == "active"
                else f"Statut : {recognition_status_label(data['status'], data['scheme'])}."
            )
            title = f"{upper_first(scheme.noun)} : périmètre réduit"
            body = (
                f"Le périmètre {scheme.of_the} n° {number} de {structure(org)} est réduit "
                f"depuis le {format_date(data['changed_at'])}, au lieu d'une suspension : les "
                f"activités ou sites qui ne satisfont plus aux exigences en sont retirés.{scope} "
                f"{in_force}"
            )
        case "granted":
            renewal = data.get("reason") in ("renewed", "restored")
            title = f"{upper_first(scheme.noun)} {scheme.agree('attribué')}{level}"
            body = (
                f"{upper_first(scheme.the)}{level} n° {number} est {scheme.agree('attribué')} à "
                f"{structure(org)}"
                + (" pour un nouveau cycle" if renewal else "")
                + f", à compter du {format_date(data['effective_date'])} et jusqu'au {expiry}."
            )
        case "restored":
            title = f"{upper_first(scheme.noun)} de nouveau en vigueur"
            body = (
                f"La suspension {scheme.of_the} n° {number} "
                f"de {structure(org)} est levée : {scheme.the} est de nouveau en vigueur "
                f"jusqu'au {expiry}.{because}"
            )
        case "suspended":
            title = f"{upper_first(scheme.noun)} {scheme.agree('suspendu')}"
            body = (
                f"{upper_first(scheme.the)} n° {number} de {structure(org)} est "
                f"{scheme.agree('suspendu')} depuis le {format_date(data['changed_at'])}."
                f"{because} Pendant la suspension, {scheme.pronoun} ne peut plus être "
                f"{scheme.agree('mis')} en avant ; {scheme.pronoun} est {scheme.agree('rétabli')} "
                "une fois la cause levée."
            )
        case "withdrawn":
            title = f"{upper_first(scheme.noun)} {scheme.agree('retiré')}"
            body = (
                f"{upper_first(scheme.the)} n° {number} de {structure(org)} a été "
                f"{scheme.agree('retiré')} le {format_date(data['changed_at'])}.{because} "
                "Une nouvelle candidature sera nécessaire pour l'obtenir à nouveau."
            )
        case "expired":
            title = f"{upper_first(scheme.noun)} {scheme.agree('arrivé')} à échéance"
            body = (
                f"{upper_first(scheme.the)} n° {number} de {structure(org)} est "
                f"{scheme.agree('arrivé')} à échéance le {expiry}. Une décision de "
                "renouvellement reste possible pendant la période de rétablissement."
            )
        case "renewed":
            after_expiry = data.get("previous_status") == "expired"
            title = f"{upper_first(scheme.noun)} {scheme.agree('renouvelé')}"
            body = (
                f"{upper_first(scheme.the)} n° {number} de {structure(org)} est "
                f"{scheme.agree('renouvelé')}"
                + (f" et {scheme.agree('rétabli')} après son échéance" if after_expiry else "")
                + " : un nouveau numéro couvre le cycle suivant, ce numéro n'est plus en vigueur."
            )
        case _:
            title = f"{upper_first(scheme.noun)} : changement de statut"
            body = f"Le statut {scheme.of_the} n° {number} de {structure(org)} a changé.{because}"
    return Message(
        title=clip(title + suffix(org)),
        body=" ".join(body.split()),
        link=f"/recognitions/{data['recognition_id']}",
    )


def _label_expiring(data: Mapping[str, Any], org: str | None) -> Message:
    scheme = scheme_of(data["scheme"])
    expiry = format_date(data["expiry_date"])
    days = int(data["days_before"])
    return Message(
        title=clip(f"{upper_first(scheme.noun)} : échéance le {expiry}{suffix(org)}"),
        body=(
            f"{upper_first(scheme.the)} n° {data['number']} de {structure(org)} arrive à "
            f"échéance le {expiry}, dans {days_label(days)}. Le renouvellement doit être décidé "
            "avant cette date : l'audit de renouvellement doit avoir eu lieu."
        ),
        link=f"/recognitions/{data['recognition_id']}",
    )


def _label_surveillance_due(data: Mapping[str, Any], org: str | None) -> Message:
    scheme = scheme_of(data["scheme"])
    due = format_date(data["due_date"])
    days = int(data["days"])
    if data["stage"] == "overdue":
        return Message(
            title=clip(f"Audit de surveillance en retard ({scheme.noun}){suffix(org)}"),
            body=(
                f"L'audit de surveillance {scheme.of_the} "
                f"n° {data['number']} de {structure(org)} devait avoir lieu avant le {due} ; il a "
                f"{days_label(days)} de retard. Sans audit, {scheme.the} sera "
                f"{scheme.agree('suspendu')}."
            ),
            link=f"/recognitions/{data['recognition_id']}",
        )
    return Message(
        title=clip(f"Audit de surveillance à prévoir avant le {due}{suffix(org)}"),
        body=(
            f"L'audit de surveillance {scheme.of_the} "
            f"n° {data['number']} de {structure(org)} doit avoir lieu avant le {due}, dans "
            f"{days_label(days)}. Pensez à le planifier avec l'organisme certificateur."
        ),
        link=f"/recognitions/{data['recognition_id']}",
    )


def _complaint_received(data: Mapping[str, Any], org: str | None) -> Message:
    return Message(
        title=clip(f"Réclamation reçue sur le n° {data['number']}{suffix(org)}"),
        body=(
            f"Une réclamation a été déposée le {format_date(data['received_at'])} depuis le "
            f"registre public au sujet du label ou de la certification n° {data['number']} de "
            f"{structure(org)}. Le comité de labellisation l'instruit."
        ),
        link=f"/complaints/{data['complaint_id']}",
    )


def _decision_opened(data: Mapping[str, Any], org: str | None) -> Message:
    scheme = scheme_of(data["scheme"])
    kind = "de renouvellement" if data["kind"] == "renewal" else "de première attribution"
    level = (
        f" Niveau calculé d'après le rapport : {data['computed_level']}."
        if data.get("computed_level")
        else ""
    )
    who = (
        "La décision revient à l'organisme certificateur."
        if data["scheme"] == "CAP_ISO9001"
        else "Le comité de labellisation doit statuer."
    )
    return Message(
        title=clip(f"Dossier de décision ouvert ({scheme.noun}){suffix(org)}"),
        body=(
            f"Le rapport d'audit de {structure(org)} ouvre un dossier {kind} pour "
            f"{scheme.the}.{level} {who}"
        ),
        link=f"/decisions/{data['decision_id']}",
    )


#: The wording of each event type of this module.
WORDINGS: dict[str, Wording] = {
    "labelling.application.accepted.v1": _application_accepted,
    "labelling.group_invitation.sent.v1": _group_invitation_sent,
    "recognition.status_changed.v1": _recognition_status_changed,
    "label.expiring.v1": _label_expiring,
    "label.surveillance_due.v1": _label_surveillance_due,
    "labelling.complaint.received.v1": _complaint_received,
    "labelling.decision.opened.v1": _decision_opened,
}
