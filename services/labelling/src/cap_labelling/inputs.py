"""Free text taken from callers: printable, no control characters (a NUL byte cannot even be
stored by PostgreSQL), surrounding blanks dropped."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator

#: C0 controls but tab, line feed and carriage return; DEL.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _printable(value: str) -> str:
    if _CONTROL.search(value):
        raise ValueError("control characters are not allowed")
    return value.strip()


#: A caller's free text (reasons, notes, scopes): refused with control characters.
FreeText = Annotated[str, AfterValidator(_printable)]
