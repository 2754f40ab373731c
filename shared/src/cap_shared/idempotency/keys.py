"""What both idempotency layers share: the headers, the key's syntax and the problems they
answer."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated

from fastapi import Header

from cap_shared.problems import ProblemError

REPLAYED_HEADER = "Idempotent-Replayed"
KEY_HEADER = "Idempotency-Key"
RETENTION = timedelta(hours=24)
#: A key is 1 to 255 printable ASCII characters (space included), both layers alike.
MAX_KEY_LENGTH = 255
_KEY = re.compile(rf"[\x20-\x7e]{{1,{MAX_KEY_LENGTH}}}")

IdempotencyKeyHeader = Annotated[
    str | None,
    Header(
        alias=KEY_HEADER,
        description="Client-generated key (1-255 printable ASCII characters, a UUID is a good "
        "one); a retry with the same key and body gets the first answer again",
        json_schema_extra={"minLength": 1, "maxLength": MAX_KEY_LENGTH},
    ),
]


class IdempotencyKeyReused(ProblemError):
    """The key was already used for a different request."""

    status, code, title = 422, "idempotency-key-reused", "Idempotency key already used"
    title_fr = "Clé d'idempotence déjà utilisée"


class InvalidIdempotencyKey(ProblemError):
    """The ``Idempotency-Key`` header is empty, too long or not printable ASCII."""

    status, code, title = 400, "invalid-idempotency-key", "Invalid idempotency key"
    title_fr = "Clé d'idempotence invalide"


class IdempotencyKeyInFlight(ProblemError):
    """The first request with this key is still being processed."""

    status, code, title = 409, "idempotency-key-in-flight", "Request with this key in progress"
    title_fr = "Requête avec cette clé en cours"


def parse_key(value: str) -> str:
    """The key a header value names: 1 to 255 printable ASCII characters, optionally quoted
    as a Structured Field string (``"abc"`` and ``abc`` are the same key); 400 otherwise."""
    key = value.strip()
    if len(key) >= 2 and key[0] == key[-1] == '"':
        key = key[1:-1]
    if _KEY.fullmatch(key) is None:
        raise InvalidIdempotencyKey(
            f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} printable ASCII characters",
            detail_fr=f"Idempotency-Key doit compter de 1 à {MAX_KEY_LENGTH} caractères ASCII "
            "imprimables",
        )
    return key
