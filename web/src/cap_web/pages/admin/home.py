"""``/admin``: the administrators' index, one entry per section with what it is for."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from cap_web.console import render
from cap_web.pages.admin.common import Admin

router = APIRouter()

#: The sections of the administration, in the order the index lists them:
#: (group, address, title, what it is for).
SECTIONS: list[tuple[str, str, str, str]] = [
    ("Réseau", "/admin/structures", "Structures", "les structures adhérentes et leur région"),
    ("Réseau", "/admin/personnes", "Personnes et rôles", "comptes, rôles, régions des animateurs"),
    (
        "Certification",
        "/admin/organismes",
        "Organismes certificateurs",
        "organismes, accréditations, connexion",
    ),
    ("Certification", "/admin/auditeurs", "Auditeurs", "auditeurs, qualifications, engagements"),
    (
        "Certification",
        "/admin/impartialite",
        "Impartialité",
        "déclarations d'intérêts des auditeurs et du comité",
    ),
    ("Intégrations", "/admin/clients-api", "Clients d'API", "applications et leurs secrets"),
    ("Intégrations", "/admin/webhooks", "Webhooks", "abonnements, livraisons, rejeu"),
    (
        "Référentiels",
        "/admin/referentiels",
        "Référentiels",
        "import, export, différences, publication",
    ),
    ("Référentiels", "/admin/regles-de-niveau", "Règles de niveau", "seuils du label CAP RSE"),
    ("Référentiels", "/admin/parametres", "Paramètres des schémas", "durées et délais"),
    (
        "Exploitation",
        "/admin/exploitation",
        "Exploitation",
        "messages en échec et rejeu, tâches planifiées, boîtes d'envoi",
    ),
]


@router.get("/admin", include_in_schema=False)
async def admin_home(request: Request, _person: Admin) -> Response:
    """The sections of the administration, grouped."""
    groups: dict[str, list[tuple[str, str, str]]] = {}
    for group, href, title, what in SECTIONS:
        groups.setdefault(group, []).append((href, title, what))
    return render(request, "admin/home.html", {"groups": groups})
