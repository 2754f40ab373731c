"""Valid SIRET numbers for tests (Luhn keys computed, like real ones)."""

from __future__ import annotations

from cap_shared.luhn import luhn_complete


def make_siret(n: int) -> str:
    """The ``n``-th test SIRET: a valid SIREN then a valid establishment number."""
    siren = luhn_complete(f"{(n // 97) % 10**8 + 10**7:08d}"[-8:])
    return luhn_complete(siren + f"{n % 9999 + 1:04d}")
