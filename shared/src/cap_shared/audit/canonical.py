"""Canonical JSON and the chain's hash: what makes an entry tamper-evident.

An entry's hash is SHA-256 over its predecessor's hash followed by the canonical JSON of the
entry (every field but ``prev_hash`` and ``hash``, ``seq`` included, keys sorted, no spaces,
UTF-8). The first entry's predecessor is :data:`GENESIS`. ``before`` and ``after`` are kept as
the canonical JSON text they were hashed as, so the hash is recomputed from the stored bytes.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, date, datetime, time
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID

#: The predecessor of the first entry of a chain.
GENESIS = "0" * 64

#: The fields an entry's hash covers (``prev_hash`` is prepended, ``hash`` is the result).
HASHED_FIELDS = (
    "seq",
    "occurred_at",
    "action",
    "record_type",
    "record_id",
    "actor",
    "actor_kind",
    "client_id",
    "on_behalf_of",
    "request_id",
    "event_id",
    "consumed_event_id",
    "before",
    "after",
)


def _default(value: Any) -> Any:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal | UUID):
        return str(value)
    if isinstance(value, Enum):
        inner = value.value
        return inner if isinstance(inner, str | int | float | bool) else str(inner)
    if isinstance(value, set | frozenset):
        return sorted(value, key=lambda v: json.dumps(v, default=_default, sort_keys=True))
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    dump = getattr(value, "model_dump", None)  # pydantic / SQLModel
    if callable(dump):
        return dump(mode="json")
    msg = f"cannot put a {type(value).__name__} in the audit trail"
    raise TypeError(msg)


def canonical_json(value: Any) -> str:
    """``value`` as canonical JSON: sorted keys, no spaces, dates ISO 8601, Decimal, UUID and
    enums as strings (enums by value)."""
    return json.dumps(
        value, default=_default, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )


def instant(value: datetime) -> str:
    """An entry's time as it is hashed: UTC, microseconds (what both databases keep)."""
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def entry_hash(prev_hash: str, entry: Mapping[str, Any]) -> str:
    """The hash of ``entry`` (a mapping with :data:`HASHED_FIELDS`) chained to ``prev_hash``."""
    fields: dict[str, Any] = {name: entry.get(name) for name in HASHED_FIELDS}
    moment = fields["occurred_at"]
    if isinstance(moment, datetime):
        fields["occurred_at"] = instant(moment)
    body = canonical_json(fields)
    return hashlib.sha256((prev_hash + body).encode()).hexdigest()
