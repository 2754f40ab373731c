"""What the committee's screens share: who may see them, the French words of the decision files
(statuses, outcomes, history steps, impartiality checks, appeals) and the form tools."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Request
from fastapi.responses import Response

from cap_web.api import Api
from cap_web.console import render, require
from cap_web.pages.progress.common import AUDIT_TYPE, SCHEME
from cap_web.sessions import Person

#: The labelling committee (and the administrators, who may decide too: the API says so).
Committee = Annotated[Person, require("committee", "admin")]

DECISION_STATUS = {
    "awaiting_report": "En attente du rapport d'audit",
    "pending": "À décider",
    "deferred": "Ajourné",
    "held": "Attribution suspendue (non-conformités majeures)",
    "granted": "Attribué",
    "refused": "Refusé",
}
#: The files the committee has to act on, in the queue's order.
TO_DECIDE = ("pending", "deferred")
KIND = {"initial": "Première demande", "renewal": "Renouvellement"}
OUTCOME = {
    "confirm": "Confirmer le niveau",
    "refuse": "Refuser",
    "defer": "Ajourner",
}
STEP = {
    "defer": "Dossier ajourné",
    "held": "Attribution suspendue jusqu'à la levée des non-conformités majeures",
    "majors_verified": "Levée des non-conformités majeures vérifiée",
    "appeal_overturned": "Décision infirmée sur recours : le dossier est à décider à nouveau",
    "lapsed": "Attribution caduque : non-conformités majeures non levées à temps",
    "new_audit_required": "Nouvel audit requis",
}
CHECK = {
    "audited": "N'a pas audité le dossier",
    "cooling_off": "Aucun engagement récent auprès des structures (délai de carence)",
    "overturned_on_appeal": "Aucune décision de sa part infirmée sur recours",
}
#: The rule each check applies, in French (the API names it in English).
CHECK_RULE = {
    "audited": "ISO/IEC 17021-1 §9.5.1 : la décision est prise par des personnes qui n'ont pas "
    "réalisé l'audit.",
    "cooling_off": "ISO/IEC 17021-1 §5.2.11 : personne ne décide d'une structure à laquelle "
    "elle a donné conseil, accompagnement ou formation pendant le délai de carence du "
    "référentiel.",
    "overturned_on_appeal": "ISO/IEC 17021-1 §9.7 : une décision infirmée sur recours est prise "
    "à nouveau par une autre personne.",
}
ENGAGEMENT = {
    "consultancy": "Conseil",
    "accompaniment": "Accompagnement",
    "training": "Formation",
}
APPEAL_STATUS = {
    "lodged": "À décider",
    "upheld": "Rejeté (décision maintenue)",
    "overturned": "Accueilli (décision infirmée)",
}
APPEAL_OUTCOME = {
    "upheld": "Rejeter le recours (maintenir la décision)",
    "overturned": "Accueillir le recours (infirmer la décision)",
}


def labels() -> dict[str, Any]:
    """The French words of the committee's screens, for the templates."""
    return {
        "DECISION_STATUS": DECISION_STATUS,
        "KIND": KIND,
        "OUTCOME": OUTCOME,
        "STEP": STEP,
        "CHECK": CHECK,
        "CHECK_RULE": CHECK_RULE,
        "ENGAGEMENT": ENGAGEMENT,
        "APPEAL_STATUS": APPEAL_STATUS,
        "APPEAL_OUTCOME": APPEAL_OUTCOME,
        "SCHEME": SCHEME,
        "AUDIT_TYPE": AUDIT_TYPE,
    }


def page(request: Request, template: str, context: dict[str, Any], **kwargs: Any) -> Response:
    """``render`` with the committee's French words."""
    return render(request, template, {**labels(), **context}, **kwargs)


async def structure_names(api: Api) -> dict[str, str]:
    """Every structure the committee reads, id → name."""
    return {
        o["id"]: o.get("name") or o["id"] for o in await api.pages("/v1/organisations", most=1000)
    }
