"""HTTP routes of the import of existing recognitions and of the IAF CertSearch export.

Mounted before the recognition routes: ``/v1/recognitions/imports`` is not a recognition id.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Query, Request, UploadFile
from fastapi.responses import JSONResponse, Response

from cap_labelling.config import Settings
from cap_labelling.imports import rules
from cap_labelling.imports import service as imports
from cap_labelling.imports.schemas import ImportReport, ImportRunPublic
from cap_labelling.imports.service import ImportRejected
from cap_shared.deps import RuntimeDep, SessionDep
from cap_shared.pagination import DEFAULT_PAGE_SIZE, Page, PageCursor, PageLimit
from cap_shared.problems import problem_from
from cap_shared.routes import AdminDep, FederationDep, errors
from cap_shared.runtime import ServiceRuntime

router = APIRouter(prefix="/v1/recognitions", tags=["recognitions"], responses=errors(401, 403))


def _settings(runtime: ServiceRuntime) -> Settings:
    settings = runtime.settings
    assert isinstance(settings, Settings)
    return settings


def _printable_name(filename: str | None) -> str:
    """The uploaded file's name as kept in the history: its last segment, printable characters
    only (a NUL byte cannot be stored)."""
    name = "".join(c for c in (filename or "").rsplit("/", 1)[-1] if c.isprintable())
    return name[:300] or "import.csv"


@router.post(
    "/imports",
    response_model=ImportReport,
    responses={
        413: {"description": "File larger than 5 MB"},
        422: {
            "description": "Not a readable CSV file, columns missing (``missing_columns``), or "
            "lines rejected (``import-rejected``: nothing imported, the ``report`` says why)"
        },
    },
)
async def import_recognitions(
    principal: AdminDep,
    session: SessionDep,
    runtime: RuntimeDep,
    request: Request,
    file: Annotated[UploadFile, File(description="CSV, UTF-8, ';' or ',' separated")],
    dry_run: Annotated[bool, Query(description="Check and report only; write nothing")] = False,
) -> ImportReport | JSONResponse:
    """Import the labels and certificates structures already hold (CEDRE ISO 9001, CAP RSE)
    from a CSV file (admin). All or nothing: one rejected line and nothing is imported (422
    with the report; the attempt is kept in the import history). Importing the same file again
    imports nothing more (its lines count as ``unchanged``). Columns: ``numero``, ``siret``,
    ``dispositif``, ``niveau``, ``organisme``, ``numero_organisme`` (optional), ``perimetre``,
    ``date_decision``, ``date_effet``, ``date_expiration``, ``statut``, ``membres_siret``
    (optional, ``|``-separated)."""
    # One byte more than allowed is enough to refuse it (413).
    content = await file.read(rules.MAX_BYTES + 1)
    report = await imports.import_csv(
        session,
        actor=principal.subject,
        filename=_printable_name(file.filename),
        content=content,
        dry_run=dry_run,
        now=runtime.clock.now(),
        lifecycle=_settings(runtime).lifecycle,
    )
    if report.rejected and not dry_run:
        # Answered, not raised: the run record is committed, the recognitions were not written.
        return problem_from(ImportRejected.of(report), instance=request.url.path)
    return report


@router.get(
    "/imports",
    response_model=Page[ImportRunPublic],
    responses={400: {"description": "The cursor is not one of this list's (invalid-cursor)"}},
)
async def list_imports(
    _principal: AdminDep,
    session: SessionDep,
    cursor: PageCursor = None,
    limit: PageLimit = DEFAULT_PAGE_SIZE,
) -> Page[ImportRunPublic]:
    """Past imports with their reports, newest first (admin; dry runs are not kept)."""
    return await imports.runs(session, cursor=cursor, limit=limit)


@router.get(
    "/exports/iaf-certsearch",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "IAF CertSearch rows (CSV)"}},
)
async def export_iaf_certsearch(
    _principal: FederationDep,
    session: SessionDep,
    runtime: RuntimeDep,
    include_labels: Annotated[
        bool, Query(description="Add CAP RSE labels, marked Unaccredited")
    ] = False,
    certification_body_id: Annotated[
        str | None, Query(max_length=60, description="Only this body's certificates")
    ] = None,
) -> Response:
    """CAP ISO 9001 certificates under the columns of IAF CertSearch's certification template
    (v2.1) for certification bodies: one row per certificate, current status mapped to Active,
    Suspended, Withdrawn or Expired (admin, committee)."""
    content = await imports.certsearch_csv(
        session, include_labels=include_labels, certification_body_id=certification_body_id
    )
    stamp = runtime.clock.today().strftime("%Y%m%d")
    return Response(
        content,
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="iaf-certsearch-{stamp}.csv"',
            "Cache-Control": "no-store",
        },
    )


ROUTERS = (router,)
