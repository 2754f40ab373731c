"""Field patterns and the model configuration the API shapes of the service share."""

from __future__ import annotations

from pydantic import ConfigDict

#: Bodies refuse unknown fields.
Strict = ConfigDict(extra="forbid")
#: A platform account id (the gateway's user ids are UUIDs).
UUID_PATTERN = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
#: An id in a query or a body (UUIDs here): nothing else reaches a query, so a control
#: character gets a 422, not a database error.
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:\-]*$"
#: Free text in a query string: no control character (PostgreSQL cannot even compare a NUL).
PRINTABLE_PATTERN = r"^[^\x00-\x1f\x7f]*$"
