"""Field types the audit service's API bodies share."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import ConfigDict, Field

Strict = ConfigDict(extra="forbid")
SchemeName = Literal["CAP_RSE", "CAP_ISO9001"]
Slug = Field(pattern=r"^[a-z0-9][a-z0-9\-]*$", max_length=60)
#: An id of the platform (organisation, site, account): printable, no spaces.
PlatformId = Annotated[str, Field(min_length=1, max_length=36, pattern=r"^[A-Za-z0-9_.:\-]+$")]
