"""HTTP routes of the scheme parameters: read every scheme's, or one's (no editing: files)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from cap_labelling.deps import SettingsDep
from cap_labelling.schemes import service as schemes
from cap_labelling.schemes.schemas import SchemeParametersPublic
from cap_shared.pagination import DEFAULT_PAGE_SIZE, Keyset, Page, PageCursor, PageLimit, field_key
from cap_shared.routes import ERRORS, LIST_ERRORS, SignedInDep

router = APIRouter(prefix="/v1/scheme-parameters", tags=["scheme parameters"], responses=ERRORS)

SchemeCode = Annotated[str, Path(max_length=40, pattern=r"^[A-Z][A-Z0-9_]{0,39}$")]
#: By scheme code (two schemes: paged in memory).
SCHEMES = Keyset("labelling.scheme-parameters", field_key("scheme", str))


@router.get("", response_model=Page[SchemeParametersPublic], responses=LIST_ERRORS)
async def list_scheme_parameters(
    _principal: SignedInDep,
    settings: SettingsDep,
    cursor: PageCursor = None,
    limit: PageLimit = DEFAULT_PAGE_SIZE,
) -> Page[SchemeParametersPublic]:
    """Every scheme's parameters (durations, deadlines, limits) as the services read them at
    start-up, with their source: the packaged files or ``CAP_SCHEME_PARAMETERS_DIR``; by scheme
    code."""
    page, next_cursor = SCHEMES.slice(schemes.every(settings), cursor=cursor, limit=limit)
    return Page[SchemeParametersPublic](data=page, next_cursor=next_cursor)


@router.get("/{scheme}", response_model=SchemeParametersPublic)
async def get_scheme_parameters(
    scheme: SchemeCode, _principal: SignedInDep, settings: SettingsDep
) -> SchemeParametersPublic:
    """One scheme's parameters (``CAP_RSE``, ``CAP_ISO9001``); another code is 404."""
    return schemes.one(settings, scheme)
