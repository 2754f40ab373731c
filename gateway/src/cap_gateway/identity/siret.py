"""SIRET check: 14 digits and the Luhn key (with La Poste's documented exception)."""

from __future__ import annotations

from cap_shared.luhn import luhn_valid

__all__ = ["SIRET_PROBLEMS_FR", "luhn_valid", "normalise_siret", "siret_problem"]

#: La Poste's establishments share this SIREN; their SIRETs use a digit-sum rule instead of Luhn.
LA_POSTE_SIREN = "356000000"
#: What :func:`siret_problem` says, in French.
SIRET_PROBLEMS_FR = {
    "a SIRET has exactly 14 digits": "Un SIRET compte exactement 14 chiffres",
    "invalid SIRET check digit": "Clé de contrôle du SIRET invalide",
    "invalid SIREN check digit (the first 9 digits)": (
        "Clé de contrôle du SIREN invalide (les 9 premiers chiffres)"
    ),
}


def normalise_siret(raw: str) -> str:
    """Strip the spaces people type (``123 456 789 00012``)."""
    return "".join(raw.split())


def siret_problem(siret: str) -> str | None:
    """What is wrong with a (normalised) SIRET, or None when it is valid."""
    if len(siret) != 14 or not siret.isdigit():
        return "a SIRET has exactly 14 digits"
    if siret.startswith(LA_POSTE_SIREN) and siret != LA_POSTE_SIREN + "00000":
        if sum(int(c) for c in siret) % 5 != 0:
            return "invalid SIRET check digit"
        return None
    if not luhn_valid(siret[:9]):
        return "invalid SIREN check digit (the first 9 digits)"
    if not luhn_valid(siret):
        return "invalid SIRET check digit"
    return None
