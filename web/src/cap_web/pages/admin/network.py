"""What the network and certification screens of the administration share: the French words
of roles, regions, schemes and engagements, the ids their addresses accept, the form tools and
the tag of an item read from a list.

Certification bodies and auditors have no ``GET`` of their own: their entity tag is, as the
contract says (docs/api/conditional-requests.md), the SHA-256 of the canonical JSON of their
representation as listed, which :func:`listed_etag` computes for the ``If-Match`` of an edit.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Form, Request
from fastapi.responses import Response

from cap_shared.conditional import etag_of
from cap_web.api import Api, ApiProblem
from cap_web.console import render
from cap_web.pages.progress.common import clean, known_ids
from cap_web.words import REGIONS, SCHEMES

__all__ = ["KnownIds", "clean", "known_ids"]

#: Every route of these screens checks the ids in its address first (a French 404).
KnownIds = [Depends(known_ids)]
FormText = Annotated[str, Form()]
FormList = Annotated[list[str], Form()]

ROLE = {
    "member": "Membre d'une structure",
    "member_admin": "Administrateur de structure",
    "facilitator": "Animateur régional",
    "auditor": "Auditeur",
    "committee": "Membre du comité",
    "admin": "Administrateur de la plateforme",
}
#: What each role is scoped to (the API says so too, and refuses the others).
ROLE_SCOPE = {
    "member": "organisation_id",
    "member_admin": "organisation_id",
    "facilitator": "region",
    "auditor": "certification_body_id",
}
USER_STATUS = {"active": "Actif", "disabled": "Suspendu"}
SIAE_TYPES = {
    "ACI": "Atelier et chantier d'insertion (ACI)",
    "AI": "Association intermédiaire (AI)",
    "EI": "Entreprise d'insertion (EI)",
    "ETTI": "Entreprise de travail temporaire d'insertion (ETTI)",
    "EITI": "Entreprise d'insertion par le travail indépendant (EITI)",
    "EBE": "Entreprise à but d'emploi (EBE)",
}
SCHEME = SCHEMES
ENGAGEMENT_KIND = {
    "consultancy": "Conseil",
    "accompaniment": "Accompagnement",
    "training": "Formation",
    "audited": "Audit réalisé (historique)",
}
DELIVERY_STATUS = {"pending": "En attente", "delivered": "Remise", "failed": "En échec"}
#: How many qualification rows an auditor's form offers (one per scheme).
QUALIFICATION_ROWS = 2


def labels() -> dict[str, Any]:
    """The French words of these screens, for the templates."""
    return {
        "ROLE": ROLE,
        "ROLE_SCOPE": ROLE_SCOPE,
        "USER_STATUS": USER_STATUS,
        "REGIONS": REGIONS,
        "SIAE_TYPES": SIAE_TYPES,
        "SCHEME": SCHEME,
        "ENGAGEMENT_KIND": ENGAGEMENT_KIND,
        "DELIVERY_STATUS": DELIVERY_STATUS,
    }


def page(request: Request, template: str, context: dict[str, Any], **kwargs: Any) -> Response:
    """``render`` with the area's French words."""
    return render(request, template, {**labels(), **context}, **kwargs)


def listed_etag(item: dict[str, Any]) -> str:
    """The entity tag of an item as a list answered it (for an ``If-Match``)."""
    return etag_of(item)


def form_problem(exc: ApiProblem, *statuses: int) -> ApiProblem:
    """``exc`` when a form shows it next to its fields (409, 422 and ``statuses``); else raised
    again for the French error page."""
    if exc.status not in (409, 422, *statuses):
        raise exc
    return exc


async def find(api: Api, path: str, item_id: str, **params: Any) -> dict[str, Any]:
    """One item of a list that has no ``GET`` of its own (a French 404 when it is not there)."""
    for item in await api.pages(path, most=2000, **params):
        if str(item.get("id")) == item_id:
            found: dict[str, Any] = item
            return found
    raise ApiProblem(404, "Introuvable", "Cet élément n'existe pas ou plus.")


async def names_of_structures(api: Api) -> dict[str, str]:
    """Every structure, id → name (for the role forms and the tables)."""
    return {o["id"]: o["name"] for o in await api.pages("/v1/organisations", most=2000)}


async def names_of_bodies(api: Api) -> dict[str, str]:
    """Every certification body, id → name."""
    return {b["id"]: b["name"] for b in await api.pages("/v1/certification-bodies", most=500)}
