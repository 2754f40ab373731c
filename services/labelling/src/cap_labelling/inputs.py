"""Free text and identifiers taken from callers: printable, no control characters (a NUL byte
cannot even be stored by PostgreSQL), surrounding blanks dropped."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, StringConstraints

from cap_shared.text import Text

#: A caller's free text (reasons, notes, scopes): refused with control characters.
FreeText = Annotated[Text, AfterValidator(str.strip)]

#: What every identifier of this service looks like (UUIDs, and the gateway's organisation ids):
#: anything else is a 422 before it reaches a query.
IDENTIFIER_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:\-]{0,35}$"

#: An identifier a caller names in a body or a query (a structure, a file).
Identifier = Annotated[
    str, StringConstraints(min_length=1, max_length=36, pattern=IDENTIFIER_PATTERN)
]
