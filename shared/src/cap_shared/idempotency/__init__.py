"""``Idempotency-Key`` for unsafe requests: a retried request gets the first answer again.

Mobile clients on a poor connection resend what they are not sure went through. The first
request with a key *claims* it by inserting a row in the same transaction as its work; when the
work commits, the row holds the answer; when it rolls back, the claim disappears with it. A
retry with the same key and the same request replays the stored answer (header
``Idempotent-Replayed: true``); the same key with a different request is refused (422), and a
retry that arrives while the first is still running waits on the row lock (PostgreSQL), then
replays.

Keys are scoped per caller (the token's subject), so two callers cannot collide or read each
other's answers. Rows older than the retention are purged by :func:`purge`.

That is the in-transaction layer, for a route that has one (:class:`Idempotency`). The edge
layer (:class:`IdempotencyMiddleware`, mounted in the gateway) serves every signed-in POST,
whichever service answers it: the answer is kept in the gateway's own database
(:class:`SqlIdempotencyStore`) once it has been sent. Both take the same keys
(:func:`parse_key`: 1 to 255 printable ASCII characters, 400 otherwise).

The package: :mod:`~cap_shared.idempotency.keys` (headers, key syntax, problems, shared by
both layers), :mod:`~cap_shared.idempotency.transaction` (the in-transaction layer) and
:mod:`~cap_shared.idempotency.edge` (the gateway's layer); every name is importable from
``cap_shared.idempotency`` itself.
"""

from __future__ import annotations

from cap_shared.idempotency.edge import (
    ANSWERED_AT_EDGE,
    KEPT_HEADERS,
    MAX_STORED_BODY,
    Claim,
    Claimed,
    IdempotencyMiddleware,
    IdempotencyStore,
    InFlight,
    Mismatch,
    SqlIdempotencyStore,
    StoredAnswer,
    idempotent_request_table,
    purge_requests,
    request_fingerprint,
    storable,
)
from cap_shared.idempotency.keys import (
    KEY_HEADER,
    MAX_KEY_LENGTH,
    REPLAYED_HEADER,
    RETENTION,
    IdempotencyKeyHeader,
    IdempotencyKeyInFlight,
    IdempotencyKeyReused,
    InvalidIdempotencyKey,
    parse_key,
)
from cap_shared.idempotency.transaction import (
    Idempotency,
    fingerprint,
    idempotency_table,
    insert_ignore,
    purge,
)

__all__ = [
    "ANSWERED_AT_EDGE",
    "KEPT_HEADERS",
    "KEY_HEADER",
    "MAX_KEY_LENGTH",
    "MAX_STORED_BODY",
    "REPLAYED_HEADER",
    "RETENTION",
    "Claim",
    "Claimed",
    "Idempotency",
    "IdempotencyKeyHeader",
    "IdempotencyKeyInFlight",
    "IdempotencyKeyReused",
    "IdempotencyMiddleware",
    "IdempotencyStore",
    "InFlight",
    "InvalidIdempotencyKey",
    "Mismatch",
    "SqlIdempotencyStore",
    "StoredAnswer",
    "fingerprint",
    "idempotency_table",
    "idempotent_request_table",
    "insert_ignore",
    "parse_key",
    "purge",
    "purge_requests",
    "request_fingerprint",
    "storable",
]
