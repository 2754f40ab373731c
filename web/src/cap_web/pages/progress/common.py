"""What the structure's follow-up screens share: the ids their addresses accept, who may see
them, the French words of every status and type, and the form tools."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import Form, Request
from fastapi.responses import Response

from cap_web.api import ApiProblem
from cap_web.console import render, require
from cap_web.sessions import Person
from cap_web.words import SCHEMES

#: What an identifier in one of these URLs looks like (the API's own ids are UUIDs).
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}")


async def known_ids(request: Request) -> None:
    """An identifier in the URL that no API resource could have is a French 404 here (it would
    not even make a valid API address: control characters, slashes, markup)."""
    for value in request.path_params.values():
        if not _ID.fullmatch(str(value)):
            raise ApiProblem(404, "Page introuvable", "Cette adresse ne désigne aucun élément.")


Member = Annotated[Person, require("member", "member_admin")]
FormText = Annotated[str, Form()]

ACTION_STATUS = {
    "proposed": "Proposée",
    "planned": "Planifiée",
    "in_progress": "En cours",
    "done": "Réalisée",
    "verified": "Vérifiée",
    "cancelled": "Annulée",
}
#: A step of an action, said as the status it leads to.
ACTION_STEP = {
    "plan": "Planifiée",
    "start": "En cours",
    "complete": "Réalisée",
    "verify": "Vérifiée",
    "reopen": "En cours (rouverte)",
    "cancel": "Annulée",
}
PRIORITY = {"low": "Basse", "medium": "Moyenne", "high": "Haute"}
SCHEME = SCHEMES
APPLICATION_STATUS = {
    "awaiting_consent": "En attente des membres du groupement",
    "submitted": "Déposée",
    "accepted": "Acceptée",
    "rejected": "Refusée",
    "withdrawn": "Retirée",
}
NEXT_STEP = {
    "awaiting_consent": (
        "Chaque structure invitée doit accepter ou refuser l'invitation ; la candidature part "
        "ensuite à la fédération."
    ),
    "submitted": "La fédération (comité) examine la candidature et l'accepte ou la refuse.",
    "accepted": (
        "Le programme d'audit est lancé avec l'organisme certificateur : suivez ses dates "
        "dans la page Audits."
    ),
    "rejected": "La candidature est close. Le motif du refus est indiqué ci-dessous.",
    "withdrawn": "La candidature a été retirée. Vous pouvez en déposer une nouvelle.",
}
INVITATION_STATUS = {
    "pending": "En attente de réponse",
    "accepted": "Acceptée",
    "declined": "Refusée",
    "cancelled": "Annulée (candidature retirée)",
}
AUDIT_STATUS = {
    "requested": "Demandé",
    "accepted": "Accepté par l'organisme",
    "planned": "Planifié",
    "in_progress": "En cours",
    "report_submitted": "Rapport remis",
    "closed": "Clos",
    "cancelled": "Annulé",
    "due": "À programmer",
    "scheduled": "Programmé",
    "done": "Réalisé",
}
AUDIT_TYPE = {
    "stage1": "Audit initial, étape 1",
    "stage2": "Audit initial, étape 2",
    "initial": "Audit initial",
    "surveillance": "Audit de surveillance",
    "surveillance1": "Surveillance, année 1",
    "surveillance2": "Surveillance, année 2",
    "renewal": "Audit de renouvellement",
    "recertification": "Audit de renouvellement",
    "special": "Audit spécial",
}
FINDING_TYPE = {
    "major_nc": "Non-conformité majeure",
    "minor_nc": "Non-conformité mineure",
    "observation": "Observation",
    "opportunity": "Piste de progrès",
    "strength": "Point fort",
}
FINDING_STATUS = {
    "open": "À traiter",
    "response_submitted": "Réponse envoyée",
    "plan_accepted": "Plan d'action accepté",
    "verified_closed": "Vérifiée et close",
    "noted": "Notée",
    "appealed": "En appel",
    "withdrawn": "Retirée en appel",
}
ROLE = {"member": "Membre", "member_admin": "Administrateur de la structure"}
TEAM_ROLES = ("member", "member_admin")
#: How many evidence rows the answer form to a nonconformity offers.
EVIDENCE_ROWS = 3


def labels() -> dict[str, Any]:
    """The French words of every status and type, for the templates."""
    return {
        "ACTION_STATUS": ACTION_STATUS,
        "ACTION_STEP": ACTION_STEP,
        "PRIORITY": PRIORITY,
        "SCHEME": SCHEME,
        "APPLICATION_STATUS": APPLICATION_STATUS,
        "NEXT_STEP": NEXT_STEP,
        "INVITATION_STATUS": INVITATION_STATUS,
        "AUDIT_STATUS": AUDIT_STATUS,
        "AUDIT_TYPE": AUDIT_TYPE,
        "FINDING_TYPE": FINDING_TYPE,
        "FINDING_STATUS": FINDING_STATUS,
        "ROLE": ROLE,
        "evidence_rows": EVIDENCE_ROWS,
    }


def page(request: Request, template: str, context: dict[str, Any], **kwargs: Any) -> Response:
    """``render`` with the area's French words."""
    return render(request, template, {**labels(), **context}, **kwargs)


def clean(value: str | None) -> str:
    """Typed text without control characters (tabs and new lines kept), trimmed."""
    return "".join(c for c in (value or "") if c in "\t\n" or c.isprintable()).strip()


def org_names(person: Person) -> dict[str, str]:
    """The person's structures, id → name."""
    return {o["id"]: o.get("name") or o["id"] for o in person.organisations if o.get("id")}
