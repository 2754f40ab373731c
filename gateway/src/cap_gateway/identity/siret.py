"""SIRET check: 14 digits and the Luhn key (with La Poste's documented exception)."""

from __future__ import annotations

#: La Poste's establishments share this SIREN; their SIRETs use a digit-sum rule instead of Luhn.
LA_POSTE_SIREN = "356000000"


def luhn_valid(digits: str) -> bool:
    """True when ``digits`` passes the Luhn checksum."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


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
