"""HTTP routes of the scheme parameters: read every scheme's, or one's (no editing: files)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from cap_labelling.deps import SettingsDep
from cap_labelling.schemes import service as schemes
from cap_labelling.schemes.schemas import SchemeParametersPublic
from cap_shared.pagination import Page
from cap_shared.routes import ERRORS, SignedInDep

router = APIRouter(prefix="/v1/scheme-parameters", tags=["scheme parameters"], responses=ERRORS)

SchemeCode = Annotated[str, Path(max_length=40, pattern=r"^[A-Z][A-Z0-9_]{0,39}$")]


@router.get("", response_model=Page[SchemeParametersPublic])
async def list_scheme_parameters(
    _principal: SignedInDep, settings: SettingsDep
) -> Page[SchemeParametersPublic]:
    """Every scheme's parameters (durations, deadlines, limits) as the services read them at
    start-up, with their source: the packaged files or ``CAP_SCHEME_PARAMETERS_DIR``. One page:
    there are two schemes."""
    return Page[SchemeParametersPublic](data=schemes.every(settings), next_cursor=None)


@router.get("/{scheme}", response_model=SchemeParametersPublic)
async def get_scheme_parameters(
    scheme: SchemeCode, _principal: SignedInDep, settings: SettingsDep
) -> SchemeParametersPublic:
    """One scheme's parameters (``CAP_RSE``, ``CAP_ISO9001``); another code is 404."""
    return schemes.one(settings, scheme)
