"""``/admin/parametres``: the scheme parameters of CAP RSE and CAP ISO 9001, read from the API.

They are files read when the services start (``docs/schemes.md``): the screen shows the values
in force and where they come from, and says how to change them; it edits nothing.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from cap_web.console import ApiDep, render
from cap_web.pages.admin.common import Admin
from cap_web.words import SCHEMES

router = APIRouter()

#: Each parameter: its French words and its unit (``months``, ``days``, ``bool``, ``count``,
#: ``share``, ``factor``, ``text``), in the order of ``docs/schemes.md``.
PARAMETERS: list[tuple[str, str, str]] = [
    ("validity_months", "Validité d'une reconnaissance après la décision", "months"),
    ("initial_within_days", "Premier audit après la candidature acceptée", "days"),
    ("stage2_within_days", "Étape 2 après l'étape 1 close", "days"),
    ("surveillance", "Surveillance", "text"),
    ("first_surveillance_months", "Première surveillance après la décision", "months"),
    ("follow_up_months", "Évaluation de suivi après la décision", "months"),
    ("renewal_lead_days", "Audit de renouvellement avant l'échéance", "days"),
    ("surveillance_grace_days", "Délai avant suspension pour surveillance manquée", "days"),
    ("suspension_max_months", "Durée maximale d'une suspension", "months"),
    ("restoration_months", "Restauration possible après l'échéance", "months"),
    ("nc_response_days", "Réponse à une non-conformité après le rapport", "days"),
    ("major_verification_days", "Vérification d'une majeure après sa réponse", "days"),
    ("major_verification_months", "Majeures d'étape 2 non vérifiées : nouvelle étape 2", "months"),
    ("minor_escalates_at_next_audit", "Mineure non close à l'audit suivant : majeure", "bool"),
    ("minors_as_major", "Mineures sur une exigence valant une majeure", "count"),
    ("appeal_days", "Délai d'appel", "days"),
    ("cooling_off_months", "Délai de viduité (conseil, accompagnement, formation)", "months"),
    ("max_consecutive_lead_cycles", "Cycles consécutifs d'un même responsable d'audit", "count"),
]
SAMPLING: list[tuple[str, str, str]] = [
    ("allowed", "Échantillonnage des sites d'un groupement", "bool"),
    ("initial_factor", "Facteur de l'échantillon à l'audit initial, fois √n", "factor"),
    ("surveillance_factor", "Facteur en surveillance, fois √n", "factor"),
    ("renewal_factor", "Facteur au renouvellement, fois √n", "factor"),
    ("random_share", "Part tirée au hasard", "share"),
    ("without_sampling_surveillance_share", "Sans échantillonnage : part auditée par an", "share"),
]
SURVEILLANCE = {
    "calendar_year": "une par année civile (aucune l'année du renouvellement)",
    "follow_up": "une évaluation de suivi en cours de cycle",
}


def say(value: Any, unit: str) -> str:
    """A parameter's value in French words."""
    if value is None:
        return "désactivé"
    if unit == "bool":
        return "oui" if value else "non"
    if unit == "months":
        return f"{value} mois"
    if unit == "days":
        return f"{value} jour{'s' if int(value) > 1 else ''}"
    if unit == "share":
        return f"{round(float(value) * 100)} %"
    if unit == "factor":
        return f"{float(value):g}".replace(".", ",")
    if unit == "text":
        return SURVEILLANCE.get(str(value), str(value))
    return str(value)


def rows(parameters: dict[str, Any]) -> list[tuple[str, str, str]]:
    """The table's rows: (name in the file, French words, value said)."""
    out = [(key, words, say(parameters.get(key), unit)) for key, words, unit in PARAMETERS]
    sampling = parameters.get("sampling") or {}
    out += [
        (f"sampling.{key}", words, say(sampling.get(key), unit)) for key, words, unit in SAMPLING
    ]
    return out


@router.get("/admin/parametres", include_in_schema=False)
async def schemes_page(request: Request, api: ApiDep, _person: Admin) -> Response:
    """Every scheme's parameters in force, side by side, with their source."""
    schemes = await api.pages("/v1/scheme-parameters", most=20)
    return render(
        request,
        "admin/schemes.html",
        {
            "schemes": [
                {
                    "code": s["scheme"],
                    "name": SCHEMES.get(s["scheme"], s["scheme"]),
                    "source": s["source"],
                    "rows": rows(s["parameters"]),
                }
                for s in schemes
            ]
        },
    )
