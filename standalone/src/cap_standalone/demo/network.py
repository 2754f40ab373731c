"""The demo network: a Coorace region as the seed document describes it (Occitanie, 26 member
structures with a CAP diagnostic, 14 holding a label or a certificate), its people, and how
their diagnostics, recognitions and applications look.

Only data and pure functions live here (no I/O): the loader turns them into API calls. The
structures are fictional but shaped on the real network — SIAE types, towns, activities, sizes
(the smallest certified structure has 3 permanent staff, as in the seed). Their SIRETs are valid
(Luhn keys) and taken from a range of their own.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal

from cap_shared.luhn import luhn_complete

REGION = "76"
REGION_NAME = "Occitanie"
DELEGATION = "Coorace Occitanie"
#: The certification body of the network's CEDRE / CAP ISO 9001 certificates.
BODY_ID = "sgs-tuv"
BODY = {
    "id": BODY_ID,
    "name": "SGS TÜV Saar",
    "accreditation": "COFRAC Certification de systèmes de management n° 4-0612",
    "schemes": ["CAP_ISO9001", "CAP_RSE"],
}
#: Password of every demo account (the administrator keeps the platform's own).
DEFAULT_PASSWORD = "coorace-demo-2026"

Scheme = Literal["CAP_RSE", "CAP_ISO9001"]
#: ``submitted``: waits for the committee; ``accepted``: the first audit is requested;
#: ``planned``: accepted, and the first audit accepted and planned with the demo auditor;
#: ``evaluated``: that audit run by the demo auditor, its report in: the file waits for the
#: committee.
ApplicationStage = Literal["submitted", "accepted", "planned", "evaluated"]


@dataclass(frozen=True)
class Recognition:
    """A label or certificate the structure already held before the platform (CSV import)."""

    scheme: Scheme
    #: When it was decided (1 to 35 months ago: a 3-year cycle still running today).
    months_ago: int
    level: str | None = None  # CAP RSE only


@dataclass(frozen=True)
class Application:
    """An application in progress on the platform."""

    scheme: Scheme
    stage: ApplicationStage
    motivation: str


@dataclass(frozen=True)
class Structure:
    """A member structure (SIAE) of the region."""

    name: str
    town: str
    siae_types: tuple[str, ...]
    activity: str
    #: Mean maturity level (0 to 4) of its CAP diagnostic.
    maturity: float
    employees_in_pathway: int
    permanent_staff: int
    volunteers: int = 0
    recognition: Recognition | None = None
    application: Application | None = None


@dataclass(frozen=True)
class Person:
    """A demo account: who, which role, and what the role is scoped to."""

    key: str
    name: str
    email: str
    role: str
    title: str
    #: ``organisation`` (the first structure), ``region``, ``body`` or nothing.
    scope: Literal["organisation", "region", "body", ""] = ""


def _rse(level: str, months_ago: int) -> Recognition:
    return Recognition("CAP_RSE", months_ago, level)


def _iso(months_ago: int) -> Recognition:
    return Recognition("CAP_ISO9001", months_ago)


#: In an order where any prefix keeps the mix (the first one is the demo accounts' structure;
#: six structures give three recognitions and three applications, one of them a CAP RSE
#: file waiting for the committee).
STRUCTURES: tuple[Structure, ...] = (
    Structure(
        "Atelier Solidaire du Lauragais",
        "Castelnaudary",
        ("ACI", "AI"),
        "maraîchage biologique et entretien d'espaces verts",
        2.0,
        38,
        9,
        12,
        application=Application(
            "CAP_RSE",
            "submitted",
            "Après notre diagnostic CAP, nous souhaitons faire reconnaître notre démarche RSE "
            "(circuits courts, gestion différenciée des espaces verts) auprès des collectivités "
            "clientes du Lauragais.",
        ),
    ),
    Structure(
        "Garonne Emploi Services",
        "Toulouse",
        ("AI",),
        "mise à disposition auprès de particuliers, entreprises et collectivités",
        3.0,
        142,
        11,
        6,
        recognition=_iso(14),
    ),
    Structure(
        "Les Jardins du Sidobre",
        "Castres",
        ("ACI",),
        "maraîchage biologique et paniers solidaires",
        2.5,
        26,
        7,
        18,
        recognition=_rse("Confirmé", 9),
    ),
    Structure(
        "Tremplin Intérim Toulouse",
        "Toulouse",
        ("ETTI",),
        "missions de travail temporaire dans le BTP et la logistique",
        2.3,
        96,
        8,
        application=Application(
            "CAP_ISO9001",
            "planned",
            "Nos clients du BTP demandent une certification qualité : nous visons CAP ISO 9001 "
            "pour l'ensemble de nos agences.",
        ),
    ),
    Structure(
        "Ressourcerie de l'Aveyron « La Trouvaille »",
        "Rodez",
        ("ACI", "EI"),
        "collecte, réemploi et vente d'objets de seconde main",
        2.7,
        34,
        10,
        15,
        recognition=_iso(27),
    ),
    Structure(
        "Solidarité Emploi Montpellier Métropole",
        "Montpellier",
        ("AI",),
        "mise à disposition de personnel (ménage, manutention, restauration collective)",
        1.6,
        118,
        7,
        4,
        application=Application(
            "CAP_RSE",
            "evaluated",
            "Nos clients publics de Montpellier Méditerranée Métropole demandent des preuves de "
            "notre engagement RSE : le label CAP RSE les leur donnera.",
        ),
    ),
    Structure(
        "Fil Catalan",
        "Perpignan",
        ("EI",),
        "couture, retouche et upcycling textile",
        3.1,
        22,
        6,
        recognition=_rse("Exemplaire", 5),
    ),
    Structure(
        "Lot Services Emploi",
        "Cahors",
        ("AI", "ETTI"),
        "mise à disposition et missions d'intérim en milieu rural",
        2.6,
        87,
        8,
        5,
        recognition=_iso(20),
    ),
    Structure(
        "Bois et Paysages du Couserans",
        "Saint-Girons",
        ("ACI",),
        "entretien des rivières, des sentiers et bûcheronnage",
        1.4,
        24,
        5,
        9,
    ),
    Structure(
        "Régie Territoriale des Garrigues",
        "Nîmes",
        ("EI",),
        "propreté urbaine et petits travaux pour les bailleurs sociaux",
        2.2,
        31,
        7,
        application=Application(
            "CAP_RSE",
            "accepted",
            "Les bailleurs sociaux du Gard intègrent des critères RSE à leurs marchés ; le "
            "label CAP RSE valorisera notre ancrage dans les quartiers.",
        ),
    ),
    Structure(
        "Ariège Multiservices",
        "Foix",
        ("AI",),
        "services aux particuliers et aux communes de montagne",
        2.5,
        64,
        6,
        7,
        recognition=_iso(8),
    ),
    Structure(
        "Gers Solidaire Environnement",
        "Auch",
        ("ACI",),
        "tri des déchets et compostage collectif",
        1.9,
        29,
        7,
        11,
        recognition=_rse("Progression", 16),
    ),
    Structure(
        "Bigorre Intérim Insertion",
        "Tarbes",
        ("ETTI",),
        "missions de travail temporaire dans l'industrie et l'hôtellerie",
        2.9,
        104,
        9,
        recognition=_iso(31),
    ),
    Structure(
        "Cévennes Écoconstruction",
        "Alès",
        ("EI",),
        "rénovation du bâti ancien en matériaux biosourcés",
        1.8,
        18,
        5,
    ),
    Structure(
        "Mobilité Solidaire du Bassin de Thau",
        "Sète",
        ("ACI",),
        "garage solidaire et location de véhicules pour l'accès à l'emploi",
        2.0,
        21,
        6,
        10,
        application=Application(
            "CAP_ISO9001",
            "submitted",
            "Notre garage solidaire veut structurer son système qualité pour répondre aux "
            "appels d'offres de Sète Agglopôle Méditerranée.",
        ),
    ),
    Structure(
        "Montauban Services Insertion",
        "Montauban",
        ("AI",),
        "mise à disposition auprès des collectivités et des associations",
        2.6,
        93,
        8,
        6,
        recognition=_iso(3),
    ),
    Structure(
        "Les Ateliers du Minervois",
        "Lézignan-Corbières",
        ("ACI",),
        "entretien du patrimoine viticole et des murets en pierre sèche",
        1.1,
        19,
        4,
        8,
        recognition=_rse("Initial", 11),
    ),
    Structure(
        "Comminges Emploi",
        "Saint-Gaudens",
        ("AI", "ACI"),
        "mise à disposition et chantier d'entretien des espaces naturels",
        2.4,
        71,
        9,
        9,
        recognition=_iso(24),
    ),
    Structure(
        "Narbonne Propreté Insertion",
        "Narbonne",
        ("EI",),
        "nettoyage de locaux professionnels",
        1.5,
        27,
        4,
    ),
    Structure(
        "Biterrois Intérim Solidaire",
        "Béziers",
        ("ETTI",),
        "missions de travail temporaire dans l'agriculture et le bâtiment",
        1.9,
        58,
        5,
    ),
    Structure(
        "Figeac Ressourcerie",
        "Figeac",
        ("ACI",),
        "réemploi, réparation et sensibilisation au zéro déchet",
        1.8,
        23,
        6,
        21,
        recognition=_rse("Progression", 20),
    ),
    Structure(
        "Millau Grands Causses Services",
        "Millau",
        ("AI",),
        "services aux particuliers et aux entreprises du Sud-Aveyron",
        2.7,
        41,
        3,
        5,
        recognition=_iso(17),
    ),
    Structure(
        "EBE Lodève Cœur d'Hérault",
        "Lodève",
        ("EBE",),
        "activités utiles au territoire (Territoires zéro chômeur de longue durée)",
        1.3,
        47,
        6,
        14,
    ),
    Structure(
        "Coopérative des Indépendants Solidaires d'Occitanie",
        "Toulouse",
        ("EITI",),
        "accompagnement de travailleurs indépendants en parcours d'insertion",
        1.7,
        16,
        4,
    ),
    Structure(
        "Conserverie Solidaire du Larzac",
        "La Cavalerie",
        ("EI",),
        "transformation de fruits et légumes locaux",
        2.1,
        15,
        4,
    ),
    Structure(
        "Tarn Insertion Bâtiment",
        "Albi",
        ("ACI", "EI"),
        "second œuvre du bâtiment et rénovation énergétique",
        2.5,
        36,
        8,
        recognition=_iso(33),  # up for renewal: expires within three months
    ),
)

PEOPLE: tuple[Person, ...] = (
    Person(
        "member_admin",
        "Claire Martin",
        "claire.martin@atelier-lauragais.example",
        "member_admin",
        "directrice de l'Atelier Solidaire du Lauragais",
        "organisation",
    ),
    Person(
        "member",
        "Karim Benali",
        "karim.benali@atelier-lauragais.example",
        "member",
        "conseiller en insertion professionnelle (CIP) de l'Atelier Solidaire du Lauragais",
        "organisation",
    ),
    Person(
        "facilitator",
        "Sophie Roux",
        "sophie.roux@coorace.example",
        "facilitator",
        "animatrice régionale, Coorace Occitanie",
        "region",
    ),
    Person(
        "auditor",
        "Marc Lefebvre",
        "marc.lefebvre@sgs-tuv.example",
        "auditor",
        "auditeur qualifié CAP ISO 9001 et CAP RSE, SGS TÜV Saar",
        "body",
    ),
    Person(
        "committee",
        "Anne Dupuis",
        "anne.dupuis@coorace.example",
        "committee",
        "membre du comité de labellisation Coorace",
    ),
)

FACILITATOR, AUDITOR = PEOPLE[2], PEOPLE[3]


# SIRETs -------------------------------------------------------------------------------------------
def siret(index: int) -> str:
    """The SIRET of the ``index``-th demo structure: a valid SIREN, then a valid NIC."""
    siren = luhn_complete(f"{44_218_000 + index * 7_919:08d}")
    return luhn_complete(siren + f"{index % 3 + 1:04d}")


# diagnostics --------------------------------------------------------------------------------------
#: What the facilitator notes on some criteria: (weak point, strength).
COMMENTS: dict[str, tuple[str, str]] = {
    "T1.1": (
        "Projet associatif ancien, peu connu des salariés en parcours.",
        "Projet social réécrit en 2025 avec les équipes et le conseil d'administration.",
    ),
    "T1.3": (
        "Pas d'instance où les salariés en parcours donnent leur avis.",
        "Conseil des salariés en parcours réuni chaque trimestre.",
    ),
    "T2.2": (
        "Suivi socioprofessionnel au fil de l'eau, sans trace écrite des entretiens.",
        "Entretiens mensuels tracés, partenariats santé et logement formalisés.",
    ),
    "T2.4": (
        "Peu de contacts avec les entreprises du territoire ; pas d'immersions (PMSMP).",
        "Club d'entreprises animé par la structure, immersions systématiques.",
    ),
    "T2.5": (
        "Contrats d'engagement réciproque signés à l'entrée mais jamais revus.",
        "Bilans d'étape du contrat d'engagement tous les quatre mois.",
    ),
    "T3.4": (
        "Document unique d'évaluation des risques à mettre à jour.",
        "Registre RGPD tenu, DUERP revu chaque année avec le CSE.",
    ),
    "T3.5": (
        "Saisie tardive dans l'extranet IAE, aucun tableau de bord.",
        "Tableau de bord mensuel partagé avec le conseil d'administration.",
    ),
    "T4.1": (
        "Plan de progrès précédent non suivi.",
        "Revue de direction semestrielle du plan de progrès.",
    ),
    "T4.3": (
        "Utilité sociale non évaluée.",
        "Évaluation de l'utilité sociale menée avec les partenaires du territoire.",
    ),
}

#: Themes on which each kind of holder is ahead (or behind) of its mean level.
_BIAS = {
    "CAP_ISO9001": {"T3": 0.3, "T4": 0.5},
    "CAP_RSE": {"T1": 0.4, "T4": 0.2},
    None: {"T3": -0.2, "T4": -0.5},
}


def levels(structure: Structure, index: int, criteria: list[dict[str, Any]]) -> dict[str, int]:
    """A level for each criterion (``urn`` -> level), varied but repeatable for the structure.

    ``criteria``: the referential's criteria as the API gives them (``urn``, ``code``,
    ``scale``); the theme is the code's prefix (``T2.4`` -> ``T2``).
    """
    rng = random.Random(f"cap-demo-{index}")
    scheme = structure.recognition.scheme if structure.recognition else None
    bias = _BIAS[scheme]
    out: dict[str, int] = {}
    for criterion in criteria:
        values = [int(level["value"]) for level in criterion.get("scale") or [{"value": 4}]]
        top = max(values) if values else 4
        theme = str(criterion.get("code") or "").split(".")[0]
        wanted = structure.maturity * top / 4 + bias.get(theme, 0.0) + rng.gauss(0.0, 0.7)
        out[str(criterion["urn"])] = min(top, max(min(values, default=0), round(wanted)))
    return out


def comment(code: str, level: int, top: int) -> str | None:
    """The facilitator's note on a criterion, when there is one for such a level."""
    notes = COMMENTS.get(code)
    if notes is None:
        return None
    if level <= top // 4:
        return notes[0]
    if level >= top * 3 // 4:
        return notes[1]
    return None


def session_date(index: int, today: date) -> date:
    """The day of the structure's one-day CAP session, spread over the last months."""
    return today - timedelta(days=12 + (index * 37) % 240)


def participants(structure: Structure) -> list[dict[str, str]]:
    """Who took part in the session."""
    people = [
        {"category": "staff", "role": "Direction"},
        {"category": "staff", "role": "Conseiller·ère en insertion professionnelle"},
        {"category": "staff", "role": "Encadrant·e technique"},
        {"category": "employee_in_pathway", "role": "Salarié·e en parcours"},
    ]
    if structure.volunteers:
        people.append({"category": "board", "role": "Président·e"})
    return people


def key_figures(structure: Structure, index: int, today: date) -> dict[str, Any]:
    """Last year's key figures: employees in pathway and their exits."""
    rng = random.Random(f"cap-demo-figures-{index}")
    exits = max(3, round(structure.employees_in_pathway * rng.uniform(0.35, 0.55)))
    neutralised = round(exits * 0.08)
    counted = exits - neutralised
    dynamic = round(counted * min(0.8, 0.3 + 0.1 * structure.maturity + rng.uniform(-0.05, 0.05)))
    durable = round(dynamic * rng.uniform(0.3, 0.45))
    transition = round((dynamic - durable) * 0.6)
    year = today.year - 1
    return {
        "period_start": f"{year}-01-01",
        "period_end": f"{year}-12-31",
        "employees_in_pathway": structure.employees_in_pathway,
        "permanent_staff": structure.permanent_staff,
        "volunteers": structure.volunteers,
        "exits": {
            "emploi_durable": durable,
            "emploi_transition": transition,
            "sortie_positive": dynamic - durable - transition,
            "autres": counted - dynamic,
            "neutralisees": neutralised,
        },
    }


# recognitions -------------------------------------------------------------------------------------
IMPORT_COLUMNS = (
    "numero",
    "siret",
    "dispositif",
    "niveau",
    "organisme",
    "numero_organisme",
    "perimetre",
    "date_decision",
    "date_effet",
    "date_expiration",
    "statut",
)


def _months_before(day: date, months: int) -> date:
    month = day.month - 1 - months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, 1)


def _scope(structure: Structure) -> str:
    types = set(structure.siae_types)
    if types & {"AI", "ETTI"} and not types & {"ACI", "EI"}:
        what = "Accueil, accompagnement socioprofessionnel et mise à disposition de salariés en"
        return f"{what} parcours d'insertion : {structure.activity}"
    return (
        "Accueil, encadrement technique, formation et accompagnement socioprofessionnel de "
        f"salariés en parcours d'insertion : {structure.activity}"
    )


def import_line(structure: Structure, index: int, today: date) -> dict[str, str]:
    """The structure's existing recognition as a line of the recognitions import (CSV columns)."""
    recognition = structure.recognition
    assert recognition is not None
    decided = _months_before(today, recognition.months_ago)
    expiry = date(decided.year + 3, decided.month, decided.day) - timedelta(days=1)
    if recognition.scheme == "CAP_ISO9001":  # the network's legacy CEDRE ISO 9001 certificates
        number, scheme = f"CEDRE-{decided.year}-{100 + index:04d}", "CEDRE_ISO9001"
        body, body_number = BODY_ID, f"FR{decided.year % 100:02d}/{31_000 + index * 113:05d}"
        scope = _scope(structure)
    else:
        number, scheme = f"CAPRSE-OCC-{decided.year}-{index:03d}", "CAP_RSE"
        body, body_number = BODY_ID, ""
        scope = f"Ensemble des activités de la structure ({structure.activity})"
    return {
        "numero": number,
        "siret": siret(index),
        "dispositif": scheme,
        "niveau": recognition.level or "",
        "organisme": body,
        "numero_organisme": body_number,
        "perimetre": scope,
        "date_decision": decided.isoformat(),
        "date_effet": decided.isoformat(),
        "date_expiration": expiry.isoformat(),
        "statut": "actif",
    }
