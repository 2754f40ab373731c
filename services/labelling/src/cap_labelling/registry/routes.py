"""HTTP routes of the public registry (no login; cacheable answers)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Query, Request, status
from fastapi.responses import Response
from fastapi.routing import APIRoute

from cap_labelling.complaints import service as complaints
from cap_labelling.complaints.schemas import ComplaintCreate, ComplaintReceipt
from cap_labelling.config import Settings
from cap_labelling.deps import Number, SettingsDep
from cap_labelling.registry import service as registry
from cap_labelling.registry.certificate import render_certificate
from cap_labelling.registry.schemas import RegistryPage, SearchQuery, Verification
from cap_shared.db.session import Database
from cap_shared.deps import DatabaseDep, RuntimeDep, SessionDep
from cap_shared.routes import ERRORS, LIST_ERRORS
from cap_shared.security import Public
from cap_shared.security.deps import PUBLIC_ROUTE

router = APIRouter(
    prefix="/v1/registry", tags=["registry"], dependencies=[Public], responses=ERRORS
)

IfNoneMatch = Annotated[str | None, Header(max_length=2000)]


def _cached(
    body: bytes, etag: str, if_none_match: str | None, max_age: int, media_type: str
) -> Response:
    """A public, cacheable answer; 304 when ``If-None-Match`` names its ETag."""
    headers = {"ETag": etag, "Cache-Control": f"public, max-age={max_age}", "Vary": "Accept"}
    if registry.matches(if_none_match, etag):
        return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers=headers)
    return Response(body, media_type=media_type, headers=headers)


@router.get(
    "/recognitions",
    response_model=RegistryPage,
    responses={**LIST_ERRORS, 304: {"description": "Not modified"}},
)
async def search_registry(
    query: Annotated[SearchQuery, Query()],
    session: SessionDep,
    settings: SettingsDep,
    if_none_match: IfNoneMatch = None,
) -> Response:
    """Labelled and certified structures, by region, SIAE type, scheme, level and name; in force
    (active or suspended) unless a status is asked; by holder name, then number. No login;
    cacheable (ETag, 304)."""
    page = await registry.search(session, query, public_url=settings.public_base)
    body = registry.dumps(page)
    return _cached(
        body, registry.etag_of(body), if_none_match, settings.registry_max_age_s, "application/json"
    )


async def _verification(
    db: Database,
    settings: Settings,
    number: str | None,
    code: str | None,
    if_none_match: str | None,
    accept: str | None,
) -> Response:
    """A recognition's verification, as JSON or (``Accept: text/html``) the French page.

    What every cache miss costs (a crawler trying codes lives on misses): one statement on a
    read-only connection (on SQLite, on the event loop's thread), the answer's JSON written
    directly (no ORM session, no model)."""
    body = await registry.verify(db, number=number, code=code, public_url=settings.public_base)
    if accept and "text/html" in accept:
        page = registry.verification_html(body).encode()
        return _cached(
            page,
            registry.etag_of(page),
            if_none_match,
            settings.registry_max_age_s,
            "text/html; charset=utf-8",
        )
    return _cached(
        body, registry.etag_of(body), if_none_match, settings.registry_max_age_s, "application/json"
    )


#: What the verification routes' parameters admit (as declared below: the lean handler takes
#: only what FastAPI would take, anything else goes to FastAPI's own).
_NUMBER = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-/.]{2,59}")
_CODE_MAX = 40
_IF_NONE_MATCH_MAX = 2000
_ACCEPT_MAX = 1000


class _VerificationRoute(APIRoute):
    """A verification route (what every cache miss costs) served without FastAPI's dependency
    solving and parameter validation when the request is well formed: its parameters read
    from the request as declared (the path's key, ``If-None-Match`` and ``Accept``, the first
    of each), the public route marked as :data:`~cap_shared.security.Public` marks it, the
    service's database and settings taken from its runtime as the dependencies take them.
    Anything else (a parameter FastAPI would refuse, dependencies overridden by a test) goes
    to FastAPI's own handler: the same 422s. Declared as any route: the same contract."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """FastAPI's handler, behind the lean one."""
        full = super().get_route_handler()
        by_number = "{number}" in self.path

        async def lean(request: Request) -> Response:
            key = request.path_params.get("number" if by_number else "code")
            headers = request.headers
            if_none_match = headers.get("if-none-match")
            accept = headers.get("accept")
            overridden = request.app.dependency_overrides
            if (
                not isinstance(key, str)
                or (_NUMBER.fullmatch(key) is None if by_number else not 0 < len(key) <= _CODE_MAX)
                or (if_none_match is not None and len(if_none_match) > _IF_NONE_MATCH_MAX)
                or (accept is not None and len(accept) > _ACCEPT_MAX)
                or overridden
            ):
                return await full(request)
            setattr(request.state, PUBLIC_ROUTE, True)
            runtime = request.app.state.runtime
            settings = runtime.settings
            assert isinstance(settings, Settings)
            number, code = (key, None) if by_number else (None, key)
            return await _verification(runtime.db, settings, number, code, if_none_match, accept)

        return lean


async def verify_by_number(
    number: Number,
    db: DatabaseDep,
    settings: SettingsDep,
    if_none_match: IfNoneMatch = None,
    accept: Annotated[str | None, Header(max_length=1000)] = None,
) -> Response:
    """Verify a recognition by its number: current status and history with dates."""
    return await _verification(db, settings, number, None, if_none_match, accept)


router.add_api_route(
    "/recognitions/{number}",
    verify_by_number,
    methods=["GET"],
    response_model=Verification,
    responses={200: {"content": {"text/html": {}}}, 304: {"description": "Not modified"}},
    route_class_override=_VerificationRoute,
)


async def verify_by_code(
    code: Annotated[str, Path(min_length=1, max_length=40)],
    db: DatabaseDep,
    settings: SettingsDep,
    if_none_match: IfNoneMatch = None,
    accept: Annotated[str | None, Header(max_length=1000)] = None,
) -> Response:
    """Verify the code printed on a certificate. Its QR code points here: through the gateway a
    browser is sent to the console's page (303), an API client gets the JSON; called directly,
    ``Accept: text/html`` gets the service's own French page."""
    return await _verification(db, settings, None, code, if_none_match, accept)


router.add_api_route(
    "/verify/{code}",
    verify_by_code,
    methods=["GET"],
    response_model=Verification,
    responses={
        200: {"content": {"text/html": {}}},
        303: {
            "description": "Through the gateway, a browser (``Accept`` preferring ``text/html`` "
            "to JSON) is sent to the console's verification page ``/verifier/{code}``"
        },
        304: {"description": "Not modified"},
    },
    route_class_override=_VerificationRoute,
)


@router.get(
    "/recognitions/{number}/certificate.pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
async def certificate(
    number: Number, session: SessionDep, settings: SettingsDep, if_none_match: IfNoneMatch = None
) -> Response:
    """The certificate in French, with a QR code to its verification page."""
    recognition = await registry.find(session, number=number)
    verification = await registry.verification(
        session, recognition, public_url=settings.public_base
    )
    view = await registry.certificate_view(session, recognition, verification=verification)
    # Drawn in a worker thread: the event loop keeps serving meanwhile.
    pdf = await asyncio.to_thread(render_certificate, view)
    response = _cached(
        pdf,
        registry.etag_of(registry.dumps(verification)),
        if_none_match,
        settings.registry_max_age_s,
        "application/pdf",
    )
    response.headers["Content-Disposition"] = f'inline; filename="{recognition.number}.pdf"'
    return response


@router.post(
    "/recognitions/{number}/complaints",
    status_code=status.HTTP_201_CREATED,
    response_model=ComplaintReceipt,
)
async def flag(
    number: Number, data: ComplaintCreate, session: SessionDep, runtime: RuntimeDep
) -> ComplaintReceipt:
    """Flag a listed recognition: a complaint opens for the labelling committee. Your name and
    e-mail stay private; keep the reference."""
    return await complaints.file_complaint(session, number, data=data, now=runtime.clock.now())
