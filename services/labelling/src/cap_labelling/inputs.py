"""Free text taken from callers: printable, no control characters (a NUL byte cannot even be
stored by PostgreSQL), surrounding blanks dropped."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator

from cap_shared.text import Text

#: A caller's free text (reasons, notes, scopes): refused with control characters.
FreeText = Annotated[Text, AfterValidator(str.strip)]
