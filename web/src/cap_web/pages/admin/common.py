"""What the administrators' screens share: who may see them."""

from __future__ import annotations

from typing import Annotated

from cap_web.console import require
from cap_web.sessions import Person

Admin = Annotated[Person, require("admin")]
