"""Valid SIRET numbers for tests (Luhn keys computed, like real ones)."""

from __future__ import annotations


def _luhn_complete(partial: str) -> str:
    for digit in "0123456789":
        candidate = partial + digit
        total = 0
        for index, char in enumerate(reversed(candidate)):
            value = int(char) * (2 if index % 2 else 1)
            total += value - 9 if value > 9 else value
        if total % 10 == 0:
            return candidate
    raise AssertionError("unreachable")


def make_siret(n: int) -> str:
    """The ``n``-th test SIRET: a valid SIREN then a valid establishment number."""
    siren = _luhn_complete(f"{(n // 97) % 10**8 + 10**7:08d}"[-8:])
    return _luhn_complete(siren + f"{n % 9999 + 1:04d}")
