"""Routes of the problem-type catalogue: ``/v1/problems``, ``/v1/problems/{code}``, and the type
URIs themselves (``/problems/<code>``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import JSONResponse

from cap_gateway.openapi import MergedOpenApi
from cap_gateway.problems import service as problem_service
from cap_gateway.problems.schemas import ProblemTypePublic, ProblemTypes
from cap_shared.pagination import DEFAULT_PAGE_SIZE, PageCursor, PageLimit
from cap_shared.security import Public

#: The catalogue changes only with the code: cacheable by anyone for an hour.
_CACHEABLE = {"Cache-Control": "public, max-age=3600"}
ProblemCode = Annotated[str, Path(max_length=64, pattern=r"^[a-z0-9-]+$")]


def _builder(request: Request) -> MergedOpenApi:
    builder: MergedOpenApi = request.app.state.openapi
    return builder


def problems_router() -> APIRouter:
    """``/v1/problems`` (the catalogue) and ``/v1/problems/{code}`` (one type); the type URIs
    (``https://cap.coorace.org/problems/<code>``) are served at ``/problems/<code>`` too, so
    they dereference to their description (RFC 9457 §3.1.1)."""
    router = APIRouter(tags=["problems"], dependencies=[Public])

    @router.get("/v1/problems", response_model=ProblemTypes, response_model_exclude_none=True)
    async def list_problem_types(
        request: Request, limit: PageLimit = DEFAULT_PAGE_SIZE, cursor: PageCursor = None
    ) -> JSONResponse:
        """Every problem type, by code: code, status, titles, meaning, and which operations
        answer it."""
        body = await problem_service.list_problem_types(
            _builder(request), cursor=cursor, limit=limit
        )
        return JSONResponse(body.model_dump(exclude_none=True), headers=_CACHEABLE)

    @router.get(
        "/v1/problems/{code}", response_model=ProblemTypePublic, response_model_exclude_none=True
    )
    async def get_problem_type(request: Request, code: ProblemCode) -> JSONResponse:
        """One problem type (404 for a code the platform never answers)."""
        entry = await problem_service.get_problem_type(_builder(request), code=code)
        return JSONResponse(entry.model_dump(exclude_none=True), headers=_CACHEABLE)

    @router.get("/problems/{code}", include_in_schema=False)
    async def dereference_problem_type(request: Request, code: ProblemCode) -> JSONResponse:
        """Where a problem's ``type`` URI points: its description."""
        return await get_problem_type(request, code)

    return router
