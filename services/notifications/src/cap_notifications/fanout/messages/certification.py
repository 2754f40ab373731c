"""The wording of the certification rules' events: held decisions, a new stage 2, appeals,
finding escalations, the body's and the committee's decisions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cap_notifications.fanout import recipients
from cap_notifications.fanout.messages.labels import (
    Message,
    Wording,
    audit_type_label,
    clip,
    finding_status_label,
    finding_type_label,
    format_date,
    scheme_of,
    structure,
    suffix,
    upper_first,
)


# certification rules: held decisions, a new stage 2, appeals, finding escalations --------------
def _majors(count: int) -> str:
    """``1 non-conformité majeure``, ``2 non-conformités majeures``."""
    return f"{count} {finding_type_label('major_nc', count)}"


def _new_evaluation(scheme_code: str) -> str:
    """What repeats when majors stay open: a stage 2 (ISO), an evaluation (CAP RSE)."""
    return "une nouvelle évaluation" if scheme_code == "CAP_RSE" else "un nouvel audit d'étape 2"


def _because(reason: object) -> str:
    """`` Motif : ….`` for a free-text reason, or nothing."""
    text = " ".join(str(reason).split()).rstrip(".") if reason else ""
    return f" Motif : {text}." if text else ""


def _decision_held(data: Mapping[str, Any], org: str | None) -> Message:
    scheme = scheme_of(data["scheme"])
    count = int(data["open_major_nc"])
    pending = (
        "n'est pas encore vérifiée et close"
        if count == 1
        else "ne sont pas encore vérifiées et closes"
    )
    once = "dès qu'elle le sera" if count == 1 else "dès que toutes le seront"
    held_until = (
        f" Sans cette vérification au {format_date(data['held_until'])}, la décision tombe et "
        f"{_new_evaluation(data['scheme'])} sera nécessaire."
        if data.get("held_until")
        else ""
    )
    return Message(
        title=clip(f"Décision en attente : {_majors(count)} à lever ({scheme.noun}){suffix(org)}"),
        body=(
            f"La décision d'attribuer {scheme.the} à {structure(org)} est enregistrée mais ne "
            f"prend pas effet : {_majors(count)} de l'audit {pending}. Elle prendra effet "
            f"{once}.{held_until}"
        ),
        link=f"/decisions/{data['decision_id']}",
    )


def _stage2_required(data: Mapping[str, Any], org: str | None) -> Message:
    scheme = scheme_of(data["scheme"])
    count = int(data["open_major_nc"])
    audit = audit_type_label(data["audit_type"])
    article = "de l'" if audit[:1] in "aeéiou" else "du "
    verified = (
        "n'a pas été vérifiée et close" if count == 1 else "n'ont pas été vérifiées et closes"
    )
    new = _new_evaluation(data["scheme"])
    required = (
        "Nouvelle évaluation requise"
        if data["scheme"] == "CAP_RSE"
        else "Nouvel audit d'étape 2 requis"
    )
    return Message(
        title=clip(f"{required} ({scheme.noun}){suffix(org)}"),
        body=(
            f"{upper_first(_majors(count))} {article}{audit} de {structure(org)} (dernier jour "
            f"sur site le {format_date(data['last_day'])}) {verified} avant le "
            f"{format_date(data['deadline'])}. Aucune décision ne peut plus s'appuyer sur cet "
            f"audit : {new} doit être demandé{'e' if data['scheme'] == 'CAP_RSE' else ''} à "
            f"l'organisme certificateur {data['certification_body_id']}."
        ),
        link=f"/audits/{data['audit_id']}",
    )


def _finding_status_changed(data: Mapping[str, Any], org: str | None) -> Message:
    kind = finding_type_label(data["type"])
    on = format_date(data["changed_at"])
    due = (
        f" Réponse attendue avant le {format_date(data['response_due'])}."
        if data.get("response_due")
        else ""
    )
    because = _because(data.get("reason"))
    title: str
    body: str
    match recipients.finding_change(data):
        case "escalated":
            title = "Non-conformité mineure requalifiée en majeure"
            body = (
                f"Une non-conformité mineure relevée chez {structure(org)} n'était pas levée "
                f"lors de l'audit suivant : elle devient une non-conformité majeure le {on}. Tant "
                f"qu'elle n'est pas vérifiée et close, aucune attribution ne prend effet.{due}"
                f"{because}"
            )
        case "downgraded":
            title = "Non-conformité majeure requalifiée en mineure après recours"
            body = (
                f"Après examen du recours de {structure(org)}, la non-conformité majeure "
                f"devient une non-conformité mineure le {on}.{due}{because}"
            )
        case "appealed":
            title = f"{upper_first(kind)} en recours : délais suspendus"
            body = (
                f"La {kind} relevée chez {structure(org)} fait l'objet d'un recours depuis le "
                f"{on} : ses délais sont suspendus jusqu'à la décision sur le recours."
            )
        case "appeal_upheld":
            title = f"Recours rejeté : la {kind} est maintenue"
            body = (
                f"Le recours de {structure(org)} contre la {kind} a été rejeté le {on} : elle "
                f"est maintenue ({finding_status_label(data['status'])}) et ses délais "
                f"reprennent.{due}{because}"
            )
        case "withdrawn":
            title = f"{upper_first(kind)} retirée après recours"
            body = (
                f"Après examen du recours de {structure(org)}, la {kind} est retirée le {on} : "
                f"elle ne compte plus.{because}"
            )
        case _:
            status = finding_status_label(data["status"])
            title = f"{upper_first(kind)} : {status}"
            body = (
                f"La {kind} relevée chez {structure(org)} est passée au statut « {status} » le "
                f"{on}.{due}"
            )
    return Message(
        title=clip(title + suffix(org)),
        body=" ".join(body.split()),
        link=f"/findings/{data['finding_id']}",
    )


def _finding_appeal_lodged(data: Mapping[str, Any], org: str | None) -> Message:
    scheme = scheme_of(data["scheme"])
    kind = finding_type_label(data["finding_type"])
    nonconformity = data["finding_type"] in ("major_nc", "minor_nc")
    paused = " Pendant le recours, ses délais sont suspendus." if nonconformity else ""
    return Message(
        title=clip(f"Recours contre une {kind} ({scheme.noun}){suffix(org)}"),
        body=(
            f"{upper_first(structure(org))} a déposé le {format_date(data['lodged_at'])} un "
            f"recours contre une {kind} de son audit ({scheme.noun}). Il est examiné par une "
            f"personne qui n'a pas pris part à l'audit : l'organisme certificateur "
            f"{data['certification_body_id']} ou un administrateur de la plateforme.{paused}"
        ),
        link=f"/findings/{data['finding_id']}",
    )


_FINDING_APPEAL_OUTCOMES = {
    "upheld": ("Recours rejeté : le constat est maintenu", "le constat est maintenu"),
    "overturned": (
        "Recours accepté : le constat est retiré",
        "le constat est retiré et ne compte plus",
    ),
    "downgraded": (
        "Recours : la non-conformité majeure devient mineure",
        "la non-conformité majeure devient une non-conformité mineure",
    ),
}


def _finding_appeal_decided(data: Mapping[str, Any], org: str | None) -> Message:
    scheme = scheme_of(data["scheme"])
    title, outcome = _FINDING_APPEAL_OUTCOMES.get(
        data["outcome"], ("Recours tranché", "le recours est tranché")
    )
    return Message(
        title=clip(f"{title}{suffix(org)}"),
        body=(
            f"Le recours de {structure(org)} contre un constat de son audit ({scheme.noun}) a "
            f"été tranché le {format_date(data['decided_at'])} : {outcome}."
            f"{_because(data.get('reason'))}"
        ),
        link=f"/findings/{data['finding_id']}",
    )


def _decision_appeal_lodged(data: Mapping[str, Any], org: str | None) -> Message:
    scheme = scheme_of(data["scheme"])
    appealed = "de refus" if data["decision_status"] == "refused" else "d'attribution"
    who = (
        "des membres du comité de labellisation ou des administrateurs qui n'ont pas pris part "
        "à la décision ni à l'audit"
        if data["scheme"] == "CAP_RSE"
        else "l'organisme certificateur ou un administrateur, sans personne ayant pris part à "
        "l'audit ou à la décision"
    )
    return Message(
        title=clip(f"Recours contre la décision {appealed} ({scheme.noun}){suffix(org)}"),
        body=(
            f"{upper_first(structure(org))} a déposé le {format_date(data['lodged_at'])} un "
            f"recours contre la décision {appealed} {scheme.of_the}. Il est tranché par {who}."
        ),
        link=f"/decisions/{data['decision_id']}",
    )


def _decision_appeal_decided(data: Mapping[str, Any], org: str | None) -> Message:
    scheme = scheme_of(data["scheme"])
    if data["outcome"] == "overturned":
        title = "Recours accepté : la décision est annulée"
        then = (
            "le dossier est de nouveau soumis au comité de labellisation, pour une nouvelle "
            "décision prise par d'autres membres"
            if data["scheme"] == "CAP_RSE"
            else "la décision rendue en appel remplace la décision initiale"
        )
    else:
        title = "Recours rejeté : la décision est maintenue"
        then = "la décision initiale reste en vigueur"
    return Message(
        title=clip(f"{title} ({scheme.noun}){suffix(org)}"),
        body=(
            f"Le recours de {structure(org)} contre la décision {scheme.of_the} a été tranché "
            f"le {format_date(data['decided_at'])} : {then}.{_because(data.get('reason'))}"
        ),
        link=f"/decisions/{data['decision_id']}",
    )


def _certification_decided(data: Mapping[str, Any], org: str | None) -> Message:
    scheme = scheme_of(data.get("scheme") or "CAP_ISO9001")
    renewal = data.get("audit_type") == "renewal"
    what = f"le renouvellement {scheme.of_the}" if renewal else scheme.the
    subject = f"Renouvellement {scheme.of_the}" if renewal else upper_first(scheme.noun)
    body = data["certification_body_id"]
    decided_on = format_date(data["decided_on"])
    if data["outcome"] == "refused":
        refused = "refusé" if renewal else scheme.agree("refusé")
        return Message(
            title=clip(f"{subject} {refused} par l'organisme certificateur{suffix(org)}"),
            body=(
                f"L'organisme certificateur {body} a refusé le {decided_on} {what} à "
                f"{structure(org)}.{_because(data.get('reason'))} "
                f"{upper_first(structure(org))} peut faire appel de cette décision sur la "
                "plateforme, dans le délai d'appel du dispositif."
            ),
            link=f"/audits/{data['audit_id']}",
        )
    granted = "accordé" if renewal else scheme.agree("accordé")
    number = data.get("certificate_number")
    count = int(data.get("open_major_nc") or 0)
    pending = "sera vérifiée et close" if count == 1 else "seront vérifiées et closes"
    return Message(
        title=clip(f"{subject} {granted} par l'organisme certificateur{suffix(org)}"),
        body=(
            f"L'organisme certificateur {body} a accordé le {decided_on} {what} à "
            f"{structure(org)}{f' (certificat n° {number})' if number else ''}."
            + (
                f" La décision prend effet quand {_majors(count)} de l'audit {pending}."
                if count
                else ""
            )
        ),
        link=f"/audits/{data['audit_id']}",
    )


def _decision_taken(data: Mapping[str, Any], org: str | None) -> Message:
    scheme = scheme_of(data["scheme"])
    renewal = data.get("kind") == "renewal"
    subject = f"Renouvellement {scheme.of_the}" if renewal else upper_first(scheme.noun)
    what = f"le renouvellement {scheme.of_the}" if renewal else scheme.the
    decided_on = format_date(data["decided_on"])
    appeal = (
        f" {upper_first(structure(org))} peut faire appel de cette décision sur la plateforme "
        f"jusqu'au {format_date(data['appeal_until'])}."
        if data.get("appeal_until")
        else ""
    )
    if data["outcome"] == "refused":
        refused = "refusé" if renewal else scheme.agree("refusé")
        return Message(
            title=clip(f"{subject} {refused} par le comité de labellisation{suffix(org)}"),
            body=(
                f"Le comité de labellisation a refusé le {decided_on} {what} à "
                f"{structure(org)}.{_because(data.get('reason'))}{appeal}"
            ),
            link=f"/decisions/{data['decision_id']}",
        )
    if data["outcome"] == "deferred":
        return Message(
            title=clip(f"Décision reportée ({scheme.noun}){suffix(org)}"),
            body=(
                f"Le comité de labellisation a reporté le {decided_on} sa décision sur "
                f"{what} de {structure(org)}.{_because(data.get('reason'))}"
            ),
            link=f"/decisions/{data['decision_id']}",
        )
    granted = "accordé" if renewal else scheme.agree("accordé")
    level = f" au niveau {data['level']}" if data.get("level") else ""
    return Message(
        title=clip(f"{subject} {granted}{level}{suffix(org)}"),
        body=(
            f"Le comité de labellisation a accordé le {decided_on} {what}{level} à "
            f"{structure(org)}.{_because(data.get('reason'))}{appeal}"
        ),
        link=f"/decisions/{data['decision_id']}",
    )


#: The wording of each event type of this module.
WORDINGS: dict[str, Wording] = {
    "decision.held.v1": _decision_held,
    "certification.decided.v1": _certification_decided,
    "decision.taken.v1": _decision_taken,
    "audit.stage2_required.v1": _stage2_required,
    "finding.status_changed.v1": _finding_status_changed,
    "finding.appeal_lodged.v1": _finding_appeal_lodged,
    "finding.appeal_decided.v1": _finding_appeal_decided,
    "decision.appeal_lodged.v1": _decision_appeal_lodged,
    "decision.appeal_decided.v1": _decision_appeal_decided,
}
