"""The wording of every notified event, in one place (French: the people notified read it).

:func:`describe` turns an event's data (its model's ``model_dump(mode="json")``) into the title,
the short paragraph and the front-end link shown in the in-app feed, the e-mail and the digest.
The helpers below (dates, schemes, audit types...) are also the e-mail templates' filters, so a
date or a scheme reads the same everywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from cap_notifications import recipients
from cap_notifications.catalogue import EVENT_TYPES
from cap_shared.contracts.registry import UnknownEventType

__all__ = [
    "EVENT_TYPES",
    "Message",
    "UnknownEventType",
    "audit_type_label",
    "category_label",
    "days_label",
    "describe",
    "finding_status_label",
    "finding_type_label",
    "format_date",
    "format_datetime",
    "priority_label",
    "reason_label",
    "recognition_status_label",
    "referential_label",
    "scheme_label",
]

#: Longest title (the ``notification.title`` and ``digest_item.title`` columns).
TITLE_MAX = 300
#: Dates and times are shown as the French read them, on the French clock.
DISPLAY_ZONE = ZoneInfo("Europe/Paris")


@dataclass(frozen=True)
class Message:
    """What a person reads about one event."""

    #: At most :data:`TITLE_MAX` characters.
    title: str
    #: A short French paragraph.
    body: str
    #: A relative front-end path (``/audits/<id>``), or None.
    link: str | None


# formatting ---------------------------------------------------------------------------------------
def _as_date(value: str | date | datetime) -> date:
    if isinstance(value, datetime):
        return _as_local(value).date()
    if isinstance(value, date):
        return value
    if "T" in value or " " in value.strip():
        return _as_local(datetime.fromisoformat(value)).date()
    return date.fromisoformat(value)


def _as_local(value: str | datetime) -> datetime:
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.astimezone(DISPLAY_ZONE) if moment.tzinfo else moment


def format_date(value: str | date | datetime | None) -> str:
    """``2026-11-26`` (or a date, a datetime, an ISO timestamp) -> ``26/11/2026``; None -> ""."""
    if value is None:
        return ""
    return _as_date(value).strftime("%d/%m/%Y")


def format_datetime(value: str | datetime | None) -> str:
    """An instant as ``26/11/2026 à 14:05``, on the French clock; None -> ""."""
    if value is None:
        return ""
    return _as_local(value).strftime("%d/%m/%Y à %H:%M")


@dataclass(frozen=True)
class _Scheme:
    noun: str
    feminine: bool

    def agree(self, participle: str) -> str:
        """``suspendu`` -> ``suspendue`` for a certification."""
        return participle + ("e" if self.feminine else "")

    @property
    def the(self) -> str:
        return ("la " if self.feminine else "le ") + self.noun

    @property
    def of_the(self) -> str:
        """``du label CAP RSE`` / ``de la certification CAP ISO 9001``."""
        return ("de la " if self.feminine else "du ") + self.noun

    @property
    def to_the(self) -> str:
        """``au label CAP RSE`` / ``à la certification CAP ISO 9001``."""
        return ("à la " if self.feminine else "au ") + self.noun

    @property
    def pronoun(self) -> str:
        return "elle" if self.feminine else "il"


_SCHEMES = {
    "CAP_RSE": _Scheme("label CAP RSE", feminine=False),
    "CAP_ISO9001": _Scheme("certification CAP ISO 9001", feminine=True),
}


def _scheme(code: str) -> _Scheme:
    return _SCHEMES.get(code) or _Scheme(f"reconnaissance {code}", feminine=True)


def scheme_label(code: str) -> str:
    """``CAP_RSE`` -> ``label CAP RSE``; ``CAP_ISO9001`` -> ``certification CAP ISO 9001``."""
    return _scheme(code).noun


_REFERENTIALS = {"CAP": "CAP", "CAP_RSE": "CAP RSE", "CAP_ISO9001": "CAP ISO 9001"}


def referential_label(code: str) -> str:
    """A referential's code as written: ``CAP_ISO9001`` -> ``CAP ISO 9001``."""
    return _REFERENTIALS.get(code, code.replace("_", " "))


_AUDIT_TYPES = {
    "stage1": "audit initial (étape 1)",
    "stage2": "audit initial (étape 2)",
    "surveillance": "audit de surveillance",
    "renewal": "audit de renouvellement",
    "initial": "évaluation initiale",
    "follow_up": "audit de suivi",
    "special": "audit spécial",
}


def audit_type_label(code: str) -> str:
    """``surveillance`` -> ``audit de surveillance``."""
    return _AUDIT_TYPES.get(code, "audit")


#: Audit types whose French noun is feminine (CAP RSE's ``évaluation initiale``).
_FEMININE_AUDIT_TYPES = frozenset({"initial"})


def _audit_agree(code: str, participle: str) -> str:
    """``demandé`` -> ``demandée`` for an évaluation."""
    return participle + ("e" if code in _FEMININE_AUDIT_TYPES else "")


_FINDING_TYPES = {
    "major_nc": ("non-conformité majeure", "non-conformités majeures"),
    "minor_nc": ("non-conformité mineure", "non-conformités mineures"),
    "observation": ("observation", "observations"),
    "opportunity": ("piste de progrès", "pistes de progrès"),
    "strength": ("point fort", "points forts"),
}


def finding_type_label(code: str, count: int = 1) -> str:
    """``major_nc`` -> ``non-conformité majeure`` (plural from 2)."""
    singular, plural = _FINDING_TYPES.get(code, ("constat", "constats"))
    return plural if count > 1 else singular


_PRIORITIES = {"low": "basse", "medium": "moyenne", "high": "haute"}


def priority_label(code: str) -> str:
    """``high`` -> ``haute``."""
    return _PRIORITIES.get(code, code)


_FINDING_STATUSES = {
    "open": "à traiter",
    "response_submitted": "réponse déposée",
    "plan_accepted": "plan d'actions accepté",
    "verified_closed": "vérifiée et close",
    "appealed": "en recours",
    "withdrawn": "retirée après recours",
}


def finding_status_label(code: str | None) -> str:
    """``verified_closed`` -> ``vérifiée et close``; None -> ""."""
    if code is None:
        return ""
    return _FINDING_STATUSES.get(code, code)


def days_label(count: int) -> str:
    """``1 jour``, ``3 jours``."""
    return f"{count} jour" if abs(count) <= 1 else f"{count} jours"


_CATEGORIES = (
    ("diagnostic.", "Diagnostic"),
    ("action.", "Plan de progrès"),
    ("audit.", "Audit"),
    ("finding.appeal_", "Recours"),
    ("decision.appeal_", "Recours"),
    ("finding.", "Non-conformité"),
    ("decision.", "Décision"),
    ("labelling.complaint.", "Réclamation"),
    ("labelling.", "Labellisation"),
    ("recognition.", "Label et certification"),
    ("label.", "Label et certification"),
)


def category_label(event_type: str) -> str:
    """What an event is about, in a word or two (``audit.planned.v1`` -> ``Audit``)."""
    return next((label for prefix, label in _CATEGORIES if event_type.startswith(prefix)), "CAP")


_RECOGNITION_STATUSES = {
    "active": "en vigueur",
    "suspended": "suspendu",
    "withdrawn": "retiré",
    "expired": "arrivé à échéance",
    "renewed": "renouvelé",
}


def recognition_status_label(status: str | None, scheme_code: str) -> str:
    """``suspended`` -> ``suspendu`` for a label, ``suspendue`` for a certification."""
    if status is None:
        return ""
    label = _RECOGNITION_STATUSES.get(status, status)
    if status == "active":
        return label
    head, _, tail = label.partition(" ")
    return " ".join(filter(None, [_scheme(scheme_code).agree(head), tail]))


def _plural(count: int, singular: str, plural: str) -> str:
    return f"{count} {singular if count <= 1 else plural}"


def _upper_first(text: str) -> str:
    """``label CAP RSE`` -> ``Label CAP RSE`` (``str.capitalize`` would lower the rest)."""
    return text[:1].upper() + text[1:]


def _clip(text: str, limit: int = TITLE_MAX) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _suffix(organisation_name: str | None) -> str:
    return f" — {organisation_name}" if organisation_name else ""


def _structure(organisation_name: str | None) -> str:
    """``la structure Atelier du Val`` (reads well after "de", "à", "pour")."""
    return f"la structure {organisation_name}" if organisation_name else "la structure"


# wording per event type ----------------------------------------------------------------------------
_Wording = Callable[[Mapping[str, Any], str | None], Message]


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
            title=_clip(f"Évaluation de l'auditeur enregistrée ({referential}){_suffix(org)}"),
            body=(
                f"L'évaluation de la maturité de {_structure(org)} par l'auditeur a été "
                f"enregistrée le {format_date(data['completed_at'])}. {result} C'est elle qui "
                "fonde le niveau proposé au comité de labellisation."
            ),
            link=f"/diagnostics/{data['diagnostic_id']}",
        )
    noun = "autodiagnostic" if data["kind"] == "self_assessment" else "diagnostic"
    article = "L'" if noun == "autodiagnostic" else "Le "
    return Message(
        title=_clip(f"{_upper_first(noun)} {referential} terminé{_suffix(org)}"),
        body=(
            f"{article}{noun} {referential} de {_structure(org)} a été terminé le "
            f"{format_date(data['completed_at'])}. {result} Les résultats par thème et les "
            "recommandations sont disponibles sur la plateforme."
        ),
        link=f"/diagnostics/{data['diagnostic_id']}",
    )


def _action_overdue(data: Mapping[str, Any], org: str | None) -> Message:
    return Message(
        title=_clip(f"Action en retard : {data['title']}"),
        body=(
            f"L'action « {data['title']} » du plan de progrès de {_structure(org)} devait être "
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
        title=_clip(f"Action à réaliser {when} : {data['title']}"),
        body=(
            f"L'action « {data['title']} » du plan de progrès de {_structure(org)} est à "
            f"réaliser pour le {format_date(data['due_date'])} ({when} ; priorité "
            f"{priority_label(data['priority'])})."
        ),
        link=f"/progress-plans/{data['plan_id']}",
    )


def _audit_requested(data: Mapping[str, Any], org: str | None) -> Message:
    scheme = _scheme(data["scheme"])
    audit = audit_type_label(data["audit_type"])
    asked = _audit_agree(data["audit_type"], "demandé")
    feminine = data["audit_type"] in _FEMININE_AUDIT_TYPES
    due = (
        f" {'Elle' if feminine else 'Il'} doit avoir lieu avant le {format_date(data['due_by'])}."
        if data["due_by"]
        else ""
    )
    return Message(
        title=_clip(f"{_upper_first(audit)} {asked} ({scheme.noun}){_suffix(org)}"),
        body=(
            f"{'Une' if feminine else 'Un'} {audit} pour {scheme.the} de {_structure(org)} a été "
            f"{asked} à l'organisme certificateur {data['certification_body_id']}.{due}"
        ),
        link=f"/audits/{data['audit_id']}",
    )


def _audit_dates(data: Mapping[str, Any]) -> str:
    start, end = format_date(data["start_date"]), format_date(data["end_date"])
    return f"le {start}" if start == end else f"du {start} au {end}"


def _audit_planned(data: Mapping[str, Any], org: str | None) -> Message:
    scheme = _scheme(data["scheme"])
    audit = audit_type_label(data["audit_type"])
    team = len(data["auditor_ids"])
    planned = _audit_agree(data["audit_type"], "planifié")
    return Message(
        title=_clip(f"{_upper_first(audit)} {planned} {_audit_dates(data)}{_suffix(org)}"),
        body=(
            f"L'{audit} ({scheme.noun}) de {_structure(org)} est {planned} {_audit_dates(data)} "
            f"par l'organisme certificateur {data['certification_body_id']}, avec "
            f"{_plural(team, 'auditeur', 'auditeurs')}."
        ),
        link=f"/audits/{data['audit_id']}",
    )


def _findings_summary(summary: Mapping[str, int]) -> str:
    parts = [
        f"{summary[code]} {finding_type_label(code, summary[code])}"
        for code in _FINDING_TYPES
        if summary.get(code)
    ]
    return ", ".join(parts) if parts else "aucun constat"


def _audit_report_submitted(data: Mapping[str, Any], org: str | None) -> Message:
    scheme = _scheme(data["scheme"])
    audit = audit_type_label(data["audit_type"])
    summary: Mapping[str, int] = data["summary"]
    nonconformities = summary.get("major_nc", 0) + summary.get("minor_nc", 0)
    follow_up = (
        " Chaque non-conformité appelle une réponse avant la date indiquée dans le rapport."
        if nonconformities
        else ""
    )
    return Message(
        title=_clip(f"Rapport d'audit déposé ({scheme.noun}){_suffix(org)}"),
        body=(
            f"Le rapport de l'{audit} ({scheme.noun}) de {_structure(org)} a été déposé le "
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
            title=_clip(f"Vérification en retard d'une {kind} : {data['title']}"),
            body=(
                f"La {kind} « {data['title']} » relevée chez {_structure(org)} a reçu une "
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
            title=_clip(f"Réponse en retard à une {kind} : {data['title']}"),
            body=(
                f"La réponse à la {kind} « {data['title']} » relevée chez {_structure(org)} "
                f"était attendue le {due} ; elle a {days_label(days)} de retard.{consequence}"
            ),
            link=f"/findings/{data['finding_id']}",
        )
    when = "aujourd'hui" if days <= 0 else f"dans {days_label(days)}"
    return Message(
        title=_clip(f"Réponse attendue avant le {due} : {data['title']}"),
        body=(
            f"La {kind} « {data['title']} » relevée chez {_structure(org)} attend une réponse "
            f"avant le {due} ({when}) : analyse des causes et plan d'actions correctives."
        ),
        link=f"/findings/{data['finding_id']}",
    )


def _application_accepted(data: Mapping[str, Any], org: str | None) -> Message:
    scheme = _scheme(data["scheme"])
    members = len(data["group_member_ids"])
    group = (
        f" Elle concerne aussi {_plural(members, 'autre structure', 'autres structures')} du "
        "groupe."
        if members
        else ""
    )
    return Message(
        title=_clip(f"Candidature {scheme.to_the} acceptée{_suffix(org)}"),
        body=(
            f"La candidature de {_structure(org)} {scheme.to_the} a été acceptée le "
            f"{format_date(data['accepted_at'])}. Le programme d'audit démarre avec l'organisme "
            f"certificateur {data['certification_body_id']}.{group}"
        ),
        link=f"/applications/{data['application_id']}",
    )


def _group_invitation_sent(data: Mapping[str, Any], org: str | None) -> Message:
    scheme = _scheme(data["scheme"])
    applicant = " ".join(str(data["applicant_name"]).split())
    return Message(
        title=_clip(f"Invitation à rejoindre un groupe {scheme.to_the}{_suffix(org)}"),
        body=(
            f"La structure {applicant} propose à {_structure(org)} de rejoindre sa candidature de "
            f"groupe {scheme.to_the}, auprès de l'organisme certificateur "
            f"{data['certification_body_id']}. Rien de votre structure ne lui est communiqué "
            "tant que vous n'avez pas accepté ; vous pouvez aussi refuser."
        ),
        link=f"/group-invitations/{data['invitation_id']}",
    )


#: Reason codes of recognition changes (labelling service), as read by people.
_REASONS = {
    "surveillance_overdue": "l'audit de surveillance n'a pas eu lieu dans les délais",
    "major_nc_overdue": "une non-conformité majeure n'a pas reçu de réponse dans les délais",
    "major_nc_closed": "les non-conformités majeures en retard ont été traitées",
    "surveillance_done": "l'audit de surveillance a été réalisé",
    "committee": "décision du comité de labellisation",
    "expired": "la date d'échéance est passée",
    "suspension_period_ended": "la durée maximale de suspension est écoulée",
    "renewed": "renouvellement pour un nouveau cycle",
    "restored": "rétablissement par une décision de renouvellement après l'échéance",
    "imported": "reprise de l'historique",
    "scope_reduced": "réduction du périmètre certifié",
}


def reason_label(code: str | None) -> str | None:
    """A recognition change's reason code in words; None for an unknown or missing code."""
    return _REASONS.get(code) if code else None


def recognition_change(data: Mapping[str, Any]) -> str:
    """granted, restored, suspended, withdrawn, expired or renewed (from status and previous)."""
    status, previous = data["status"], data.get("previous_status")
    if status == "active":
        return "granted" if previous is None else "restored"
    return str(status)


def _recognition_status_changed(data: Mapping[str, Any], org: str | None) -> Message:
    scheme = _scheme(data["scheme"])
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
                f"{_upper_first(scheme.the)} reste valable jusqu'au {expiry} pour ce périmètre."
                if data["status"] == "active"
                else f"Statut : {recognition_status_label(data['status'], data['scheme'])}."
            )
            title = f"{_upper_first(scheme.noun)} : périmètre réduit"
            body = (
                f"Le périmètre {scheme.of_the} n° {number} de {_structure(org)} est réduit "
                f"depuis le {format_date(data['changed_at'])}, au lieu d'une suspension : les "
                f"activités ou sites qui ne satisfont plus aux exigences en sont retirés.{scope} "
                f"{in_force}"
            )
        case "granted":
            renewal = data.get("reason") in ("renewed", "restored")
            title = f"{_upper_first(scheme.noun)} {scheme.agree('attribué')}{level}"
            body = (
                f"{_upper_first(scheme.the)}{level} n° {number} est {scheme.agree('attribué')} à "
                f"{_structure(org)}"
                + (" pour un nouveau cycle" if renewal else "")
                + f", à compter du {format_date(data['effective_date'])} et jusqu'au {expiry}."
            )
        case "restored":
            title = f"{_upper_first(scheme.noun)} de nouveau en vigueur"
            body = (
                f"La suspension {scheme.of_the} n° {number} "
                f"de {_structure(org)} est levée : {scheme.the} est de nouveau en vigueur "
                f"jusqu'au {expiry}.{because}"
            )
        case "suspended":
            title = f"{_upper_first(scheme.noun)} {scheme.agree('suspendu')}"
            body = (
                f"{_upper_first(scheme.the)} n° {number} de {_structure(org)} est "
                f"{scheme.agree('suspendu')} depuis le {format_date(data['changed_at'])}."
                f"{because} Pendant la suspension, {scheme.pronoun} ne peut plus être "
                f"{scheme.agree('mis')} en avant ; {scheme.pronoun} est {scheme.agree('rétabli')} "
                "une fois la cause levée."
            )
        case "withdrawn":
            title = f"{_upper_first(scheme.noun)} {scheme.agree('retiré')}"
            body = (
                f"{_upper_first(scheme.the)} n° {number} de {_structure(org)} a été "
                f"{scheme.agree('retiré')} le {format_date(data['changed_at'])}.{because} "
                "Une nouvelle candidature sera nécessaire pour l'obtenir à nouveau."
            )
        case "expired":
            title = f"{_upper_first(scheme.noun)} {scheme.agree('arrivé')} à échéance"
            body = (
                f"{_upper_first(scheme.the)} n° {number} de {_structure(org)} est "
                f"{scheme.agree('arrivé')} à échéance le {expiry}. Une décision de "
                "renouvellement reste possible pendant la période de rétablissement."
            )
        case "renewed":
            after_expiry = data.get("previous_status") == "expired"
            title = f"{_upper_first(scheme.noun)} {scheme.agree('renouvelé')}"
            body = (
                f"{_upper_first(scheme.the)} n° {number} de {_structure(org)} est "
                f"{scheme.agree('renouvelé')}"
                + (f" et {scheme.agree('rétabli')} après son échéance" if after_expiry else "")
                + " : un nouveau numéro couvre le cycle suivant, ce numéro n'est plus en vigueur."
            )
        case _:
            title = f"{_upper_first(scheme.noun)} : changement de statut"
            body = f"Le statut {scheme.of_the} n° {number} de {_structure(org)} a changé.{because}"
    return Message(
        title=_clip(title + _suffix(org)),
        body=" ".join(body.split()),
        link=f"/recognitions/{data['recognition_id']}",
    )


def _label_expiring(data: Mapping[str, Any], org: str | None) -> Message:
    scheme = _scheme(data["scheme"])
    expiry = format_date(data["expiry_date"])
    days = int(data["days_before"])
    return Message(
        title=_clip(f"{_upper_first(scheme.noun)} : échéance le {expiry}{_suffix(org)}"),
        body=(
            f"{_upper_first(scheme.the)} n° {data['number']} de {_structure(org)} arrive à "
            f"échéance le {expiry}, dans {days_label(days)}. Le renouvellement doit être décidé "
            "avant cette date : l'audit de renouvellement doit avoir eu lieu."
        ),
        link=f"/recognitions/{data['recognition_id']}",
    )


def _label_surveillance_due(data: Mapping[str, Any], org: str | None) -> Message:
    scheme = _scheme(data["scheme"])
    due = format_date(data["due_date"])
    days = int(data["days"])
    if data["stage"] == "overdue":
        return Message(
            title=_clip(f"Audit de surveillance en retard ({scheme.noun}){_suffix(org)}"),
            body=(
                f"L'audit de surveillance {scheme.of_the} "
                f"n° {data['number']} de {_structure(org)} devait avoir lieu avant le {due} ; il a "
                f"{days_label(days)} de retard. Sans audit, {scheme.the} sera "
                f"{scheme.agree('suspendu')}."
            ),
            link=f"/recognitions/{data['recognition_id']}",
        )
    return Message(
        title=_clip(f"Audit de surveillance à prévoir avant le {due}{_suffix(org)}"),
        body=(
            f"L'audit de surveillance {scheme.of_the} "
            f"n° {data['number']} de {_structure(org)} doit avoir lieu avant le {due}, dans "
            f"{days_label(days)}. Pensez à le planifier avec l'organisme certificateur."
        ),
        link=f"/recognitions/{data['recognition_id']}",
    )


def _complaint_received(data: Mapping[str, Any], org: str | None) -> Message:
    return Message(
        title=_clip(f"Réclamation reçue sur le n° {data['number']}{_suffix(org)}"),
        body=(
            f"Une réclamation a été déposée le {format_date(data['received_at'])} depuis le "
            f"registre public au sujet du label ou de la certification n° {data['number']} de "
            f"{_structure(org)}. Le comité de labellisation l'instruit."
        ),
        link=f"/complaints/{data['complaint_id']}",
    )


def _decision_opened(data: Mapping[str, Any], org: str | None) -> Message:
    scheme = _scheme(data["scheme"])
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
        title=_clip(f"Dossier de décision ouvert ({scheme.noun}){_suffix(org)}"),
        body=(
            f"Le rapport d'audit de {_structure(org)} ouvre un dossier {kind} pour "
            f"{scheme.the}.{level} {who}"
        ),
        link=f"/decisions/{data['decision_id']}",
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
    scheme = _scheme(data["scheme"])
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
        title=_clip(
            f"Décision en attente : {_majors(count)} à lever ({scheme.noun}){_suffix(org)}"
        ),
        body=(
            f"La décision d'attribuer {scheme.the} à {_structure(org)} est enregistrée mais ne "
            f"prend pas effet : {_majors(count)} de l'audit {pending}. Elle prendra effet "
            f"{once}.{held_until}"
        ),
        link=f"/decisions/{data['decision_id']}",
    )


def _stage2_required(data: Mapping[str, Any], org: str | None) -> Message:
    scheme = _scheme(data["scheme"])
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
        title=_clip(f"{required} ({scheme.noun}){_suffix(org)}"),
        body=(
            f"{_upper_first(_majors(count))} {article}{audit} de {_structure(org)} (dernier jour "
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
                f"Une non-conformité mineure relevée chez {_structure(org)} n'était pas levée "
                f"lors de l'audit suivant : elle devient une non-conformité majeure le {on}. Tant "
                f"qu'elle n'est pas vérifiée et close, aucune attribution ne prend effet.{due}"
                f"{because}"
            )
        case "downgraded":
            title = "Non-conformité majeure requalifiée en mineure après recours"
            body = (
                f"Après examen du recours de {_structure(org)}, la non-conformité majeure "
                f"devient une non-conformité mineure le {on}.{due}{because}"
            )
        case "appealed":
            title = f"{_upper_first(kind)} en recours : délais suspendus"
            body = (
                f"La {kind} relevée chez {_structure(org)} fait l'objet d'un recours depuis le "
                f"{on} : ses délais sont suspendus jusqu'à la décision sur le recours."
            )
        case "appeal_upheld":
            title = f"Recours rejeté : la {kind} est maintenue"
            body = (
                f"Le recours de {_structure(org)} contre la {kind} a été rejeté le {on} : elle "
                f"est maintenue ({finding_status_label(data['status'])}) et ses délais "
                f"reprennent.{due}{because}"
            )
        case "withdrawn":
            title = f"{_upper_first(kind)} retirée après recours"
            body = (
                f"Après examen du recours de {_structure(org)}, la {kind} est retirée le {on} : "
                f"elle ne compte plus.{because}"
            )
        case _:
            status = finding_status_label(data["status"])
            title = f"{_upper_first(kind)} : {status}"
            body = (
                f"La {kind} relevée chez {_structure(org)} est passée au statut « {status} » le "
                f"{on}.{due}"
            )
    return Message(
        title=_clip(title + _suffix(org)),
        body=" ".join(body.split()),
        link=f"/findings/{data['finding_id']}",
    )


def _finding_appeal_lodged(data: Mapping[str, Any], org: str | None) -> Message:
    scheme = _scheme(data["scheme"])
    kind = finding_type_label(data["finding_type"])
    nonconformity = data["finding_type"] in ("major_nc", "minor_nc")
    paused = " Pendant le recours, ses délais sont suspendus." if nonconformity else ""
    return Message(
        title=_clip(f"Recours contre une {kind} ({scheme.noun}){_suffix(org)}"),
        body=(
            f"{_upper_first(_structure(org))} a déposé le {format_date(data['lodged_at'])} un "
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
    scheme = _scheme(data["scheme"])
    title, outcome = _FINDING_APPEAL_OUTCOMES.get(
        data["outcome"], ("Recours tranché", "le recours est tranché")
    )
    return Message(
        title=_clip(f"{title}{_suffix(org)}"),
        body=(
            f"Le recours de {_structure(org)} contre un constat de son audit ({scheme.noun}) a "
            f"été tranché le {format_date(data['decided_at'])} : {outcome}."
            f"{_because(data.get('reason'))}"
        ),
        link=f"/findings/{data['finding_id']}",
    )


def _decision_appeal_lodged(data: Mapping[str, Any], org: str | None) -> Message:
    scheme = _scheme(data["scheme"])
    appealed = "de refus" if data["decision_status"] == "refused" else "d'attribution"
    who = (
        "des membres du comité de labellisation ou des administrateurs qui n'ont pas pris part "
        "à la décision ni à l'audit"
        if data["scheme"] == "CAP_RSE"
        else "l'organisme certificateur ou un administrateur, sans personne ayant pris part à "
        "l'audit ou à la décision"
    )
    return Message(
        title=_clip(f"Recours contre la décision {appealed} ({scheme.noun}){_suffix(org)}"),
        body=(
            f"{_upper_first(_structure(org))} a déposé le {format_date(data['lodged_at'])} un "
            f"recours contre la décision {appealed} {scheme.of_the}. Il est tranché par {who}."
        ),
        link=f"/decisions/{data['decision_id']}",
    )


def _decision_appeal_decided(data: Mapping[str, Any], org: str | None) -> Message:
    scheme = _scheme(data["scheme"])
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
        title=_clip(f"{title} ({scheme.noun}){_suffix(org)}"),
        body=(
            f"Le recours de {_structure(org)} contre la décision {scheme.of_the} a été tranché "
            f"le {format_date(data['decided_at'])} : {then}.{_because(data.get('reason'))}"
        ),
        link=f"/decisions/{data['decision_id']}",
    )


def _certification_decided(data: Mapping[str, Any], org: str | None) -> Message:
    scheme = _scheme(data.get("scheme") or "CAP_ISO9001")
    renewal = data.get("audit_type") == "renewal"
    what = f"le renouvellement {scheme.of_the}" if renewal else scheme.the
    subject = f"Renouvellement {scheme.of_the}" if renewal else _upper_first(scheme.noun)
    body = data["certification_body_id"]
    decided_on = format_date(data["decided_on"])
    if data["outcome"] == "refused":
        refused = "refusé" if renewal else scheme.agree("refusé")
        return Message(
            title=_clip(f"{subject} {refused} par l'organisme certificateur{_suffix(org)}"),
            body=(
                f"L'organisme certificateur {body} a refusé le {decided_on} {what} à "
                f"{_structure(org)}.{_because(data.get('reason'))} "
                f"{_upper_first(_structure(org))} peut faire appel de cette décision sur la "
                "plateforme, dans le délai d'appel du dispositif."
            ),
            link=f"/audits/{data['audit_id']}",
        )
    granted = "accordé" if renewal else scheme.agree("accordé")
    number = data.get("certificate_number")
    count = int(data.get("open_major_nc") or 0)
    pending = "sera vérifiée et close" if count == 1 else "seront vérifiées et closes"
    return Message(
        title=_clip(f"{subject} {granted} par l'organisme certificateur{_suffix(org)}"),
        body=(
            f"L'organisme certificateur {body} a accordé le {decided_on} {what} à "
            f"{_structure(org)}{f' (certificat n° {number})' if number else ''}."
            + (
                f" La décision prend effet quand {_majors(count)} de l'audit {pending}."
                if count
                else ""
            )
        ),
        link=f"/audits/{data['audit_id']}",
    )


def _decision_taken(data: Mapping[str, Any], org: str | None) -> Message:
    scheme = _scheme(data["scheme"])
    renewal = data.get("kind") == "renewal"
    subject = f"Renouvellement {scheme.of_the}" if renewal else _upper_first(scheme.noun)
    what = f"le renouvellement {scheme.of_the}" if renewal else scheme.the
    decided_on = format_date(data["decided_on"])
    appeal = (
        f" {_upper_first(_structure(org))} peut faire appel de cette décision sur la plateforme "
        f"jusqu'au {format_date(data['appeal_until'])}."
        if data.get("appeal_until")
        else ""
    )
    if data["outcome"] == "refused":
        refused = "refusé" if renewal else scheme.agree("refusé")
        return Message(
            title=_clip(f"{subject} {refused} par le comité de labellisation{_suffix(org)}"),
            body=(
                f"Le comité de labellisation a refusé le {decided_on} {what} à "
                f"{_structure(org)}.{_because(data.get('reason'))}{appeal}"
            ),
            link=f"/decisions/{data['decision_id']}",
        )
    if data["outcome"] == "deferred":
        return Message(
            title=_clip(f"Décision reportée ({scheme.noun}){_suffix(org)}"),
            body=(
                f"Le comité de labellisation a reporté le {decided_on} sa décision sur "
                f"{what} de {_structure(org)}.{_because(data.get('reason'))}"
            ),
            link=f"/decisions/{data['decision_id']}",
        )
    granted = "accordé" if renewal else scheme.agree("accordé")
    level = f" au niveau {data['level']}" if data.get("level") else ""
    return Message(
        title=_clip(f"{subject} {granted}{level}{_suffix(org)}"),
        body=(
            f"Le comité de labellisation a accordé le {decided_on} {what}{level} à "
            f"{_structure(org)}.{_because(data.get('reason'))}{appeal}"
        ),
        link=f"/decisions/{data['decision_id']}",
    )


_WORDINGS: dict[str, _Wording] = {
    "diagnostic.completed.v1": _diagnostic_completed,
    "action.overdue.v1": _action_overdue,
    "action.due_soon.v1": _action_due_soon,
    "audit.requested.v1": _audit_requested,
    "audit.planned.v1": _audit_planned,
    "audit.report_submitted.v1": _audit_report_submitted,
    "finding.response_due.v1": _finding_response_due,
    "labelling.application.accepted.v1": _application_accepted,
    "labelling.group_invitation.sent.v1": _group_invitation_sent,
    "recognition.status_changed.v1": _recognition_status_changed,
    "label.expiring.v1": _label_expiring,
    "label.surveillance_due.v1": _label_surveillance_due,
    "labelling.complaint.received.v1": _complaint_received,
    "labelling.decision.opened.v1": _decision_opened,
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

if set(_WORDINGS) != set(EVENT_TYPES):  # pragma: no cover - caught at import, in every test
    msg = f"wording and catalogue disagree: {sorted(set(_WORDINGS) ^ set(EVENT_TYPES))}"
    raise RuntimeError(msg)


def describe(event_type: str, data: Mapping[str, Any], *, organisation_name: str | None) -> Message:
    """The title, paragraph and link of one event; :class:`UnknownEventType` if not notified."""
    try:
        wording = _WORDINGS[event_type]
    except KeyError:
        msg = f"no wording for event type {event_type!r}"
        raise UnknownEventType(msg) from None
    return wording(data, organisation_name)
