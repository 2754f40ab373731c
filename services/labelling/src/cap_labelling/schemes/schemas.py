"""API shapes of the scheme parameters."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from cap_shared.contracts.schemes import SchemeParameters


class SchemeParametersPublic(BaseModel):
    """One scheme's parameters as every service reads them, and where they come from."""

    scheme: str
    #: ``packaged``: the files shipped with the platform; ``directory``: the files of the
    #: directory named by ``CAP_SCHEME_PARAMETERS_DIR`` (read at start-up).
    source: Literal["packaged", "directory"]
    parameters: SchemeParameters
