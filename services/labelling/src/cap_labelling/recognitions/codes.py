"""Public numbers and verification codes of recognitions (pure)."""

from __future__ import annotations

import secrets

from cap_labelling.rules import Scheme

#: The prefix of a recognition's number, by scheme.
PREFIX = {Scheme.CAP_RSE: "CAPRSE", Scheme.CAP_ISO9001: "CAPISO"}

#: Crockford's base32 alphabet: no I, L, O, U (nothing to misread on a printed certificate).
_CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_verification_code() -> str:
    """12 random base32 characters (60 bits) in three groups: ``K7QH-3M9X-PT2A``."""
    raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def normalise_code(code: str) -> str | None:
    """A typed code in canonical form (case, dashes, spaces and misreadable letters forgiven),
    or None if it cannot be one."""
    raw = code.upper().replace("-", "").replace(" ", "")
    raw = raw.translate(str.maketrans("OIL", "011"))
    if len(raw) != 12 or any(c not in _CODE_ALPHABET for c in raw):
        return None
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"
