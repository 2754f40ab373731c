"""What every wording shares: the message, dates, schemes, audit types... as the French read
them. These labels are also the e-mail templates' filters, so a date or a scheme reads the same
everywhere (French: the people notified read it)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

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
class Scheme:
    """How a scheme's recognition is named, and its grammatical gender."""

    noun: str
    feminine: bool

    def agree(self, participle: str) -> str:
        """``suspendu`` -> ``suspendue`` for a certification."""
        return participle + ("e" if self.feminine else "")

    @property
    def the(self) -> str:
        """``le label CAP RSE`` / ``la certification CAP ISO 9001``."""
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
        """``il`` / ``elle``."""
        return "elle" if self.feminine else "il"


_SCHEMES = {
    "CAP_RSE": Scheme("label CAP RSE", feminine=False),
    "CAP_ISO9001": Scheme("certification CAP ISO 9001", feminine=True),
}


def scheme_of(code: str) -> Scheme:
    """The scheme of a code (an unknown one reads as a recognition)."""
    return _SCHEMES.get(code) or Scheme(f"reconnaissance {code}", feminine=True)


def scheme_label(code: str) -> str:
    """``CAP_RSE`` -> ``label CAP RSE``; ``CAP_ISO9001`` -> ``certification CAP ISO 9001``."""
    return scheme_of(code).noun


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
FEMININE_AUDIT_TYPES = frozenset({"initial"})


def audit_agree(code: str, participle: str) -> str:
    """``demandé`` -> ``demandée`` for an évaluation."""
    return participle + ("e" if code in FEMININE_AUDIT_TYPES else "")


FINDING_TYPES = {
    "major_nc": ("non-conformité majeure", "non-conformités majeures"),
    "minor_nc": ("non-conformité mineure", "non-conformités mineures"),
    "observation": ("observation", "observations"),
    "opportunity": ("piste de progrès", "pistes de progrès"),
    "strength": ("point fort", "points forts"),
}


def finding_type_label(code: str, count: int = 1) -> str:
    """``major_nc`` -> ``non-conformité majeure`` (plural from 2)."""
    singular, plural = FINDING_TYPES.get(code, ("constat", "constats"))
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
    return " ".join(filter(None, [scheme_of(scheme_code).agree(head), tail]))


def plural(count: int, singular: str, plural: str) -> str:
    """``1 constat``, ``3 constats``."""
    return f"{count} {singular if count <= 1 else plural}"


def upper_first(text: str) -> str:
    """``label CAP RSE`` -> ``Label CAP RSE`` (``str.capitalize`` would lower the rest)."""
    return text[:1].upper() + text[1:]


def clip(text: str, limit: int = TITLE_MAX) -> str:
    """On one line, at most ``limit`` characters (an ellipsis when cut)."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def suffix(organisation_name: str | None) -> str:
    """`` — <structure>`` after a title, or nothing."""
    return f" — {organisation_name}" if organisation_name else ""


def structure(organisation_name: str | None) -> str:
    """``la structure Atelier du Val`` (reads well after "de", "à", "pour")."""
    return f"la structure {organisation_name}" if organisation_name else "la structure"


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


#: How an event type is worded: (data, organisation name) -> message.
Wording = Callable[[Mapping[str, Any], str | None], Message]
