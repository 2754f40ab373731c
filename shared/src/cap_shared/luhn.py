"""The Luhn checksum (SIREN and SIRET keys): checking a number, completing one."""

from __future__ import annotations


def luhn_valid(digits: str) -> bool:
    """True when ``digits`` passes the Luhn checksum."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char) * (2 if index % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def luhn_complete(partial: str) -> str:
    """``partial`` followed by the digit that makes it pass the Luhn check."""
    return next(partial + d for d in "0123456789" if luhn_valid(partial + d))
