"""HTTP routes of referentials: list, import (admin), publish (admin), read a version ready to
rate, compare two versions, export."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, File, Path, Query, Response, UploadFile, status
from fastapi.responses import PlainTextResponse

from cap_diagnostic.models import ReferentialVersion
from cap_diagnostic.referentials import service as referentials
from cap_diagnostic.referentials.loader import MAX_FILE_BYTES, ReferentialInvalid, too_large
from cap_diagnostic.referentials.model import ResolvedReferential
from cap_diagnostic.referentials.schema import MAX_VERSION, ReferentialFile
from cap_diagnostic.referentials.schemas import (
    CriterionPublic,
    ReferentialDetail,
    ReferentialDifferences,
    ReferentialImported,
    ReferentialSummary,
    ScaleLevel,
    ThemePublic,
)
from cap_shared.deps import SessionDep
from cap_shared.openapi import self_contained_schema
from cap_shared.pagination import DEFAULT_PAGE_SIZE, Keyset, Page, PageCursor, PageLimit, field_key
from cap_shared.routes import ERRORS, AdminDep, SignedInDep

#: A referential's code in a path.
Code = Annotated[str, Path(max_length=40, pattern=r"^[A-Za-z0-9._\-]+$")]

router = APIRouter(prefix="/v1/referentials", tags=["referentials"], responses=ERRORS)


def _summary(stored: ReferentialVersion, resolved: ResolvedReferential) -> dict[str, Any]:
    """The fields every view of a version shares."""
    return {
        "id": stored.id,
        "urn": stored.urn,
        "code": stored.code,
        "version": stored.version,
        "name": stored.name,
        "status": stored.status,
        "published_on": stored.published_on,
        "imported_at": stored.created_at,
        "criteria_count": len(resolved.criteria),
        "extends": [e.model_dump() for e in resolved.document.extends],
        "published_at": stored.published_at,
        "published_by": stored.published_by,
    }


#: By code then version (a few dozen versions: paged in memory).
REFERENTIALS = Keyset("diagnostic.referentials", field_key("code", str), field_key("version", int))


@router.get("", response_model=Page[ReferentialSummary])
async def list_referentials(
    _principal: SignedInDep,
    session: SessionDep,
    cursor: PageCursor = None,
    limit: PageLimit = DEFAULT_PAGE_SIZE,
) -> Page[ReferentialSummary]:
    """Every imported referential version (all versions of CAP, CAP RSE, CAP ISO 9001...), by
    code then version."""
    stored, next_cursor = REFERENTIALS.slice(
        await referentials.list_versions(session), cursor=cursor, limit=limit
    )
    out = []
    for version in stored:
        resolved = await referentials.resolved(session, version.id)
        out.append(ReferentialSummary(**_summary(version, resolved)))
    return Page[ReferentialSummary](data=out, next_cursor=next_cursor)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ReferentialImported)
async def import_referential(
    principal: AdminDep,
    session: SessionDep,
    file: Annotated[UploadFile, File(description="A cap-referential/1 file (YAML or JSON)")],
) -> ReferentialImported:
    """Import a new referential version (admin). Equal or older versions are refused (409);
    an invalid file is refused whole (422, each error naming file, object and field)."""
    filename = (file.filename or "upload.yaml").rsplit("/", 1)[-1][:200]
    content = await file.read(MAX_FILE_BYTES + 1)
    if len(content) > MAX_FILE_BYTES:
        raise ReferentialInvalid([too_large(filename)])
    imported = await referentials.import_file(
        session, content, filename=filename, actor=principal.subject
    )
    return ReferentialImported(
        **_summary(imported.version, imported.resolved), changes=imported.version.changes
    )


@router.get("/{code}/versions/{version}", response_model=ReferentialDetail)
async def get_referential(
    code: Code,
    version: Annotated[int, Path(ge=1, le=MAX_VERSION)],
    _principal: SignedInDep,
    session: SessionDep,
) -> ReferentialDetail:
    """A version with its themes and criteria, the reused ones included, ready to rate."""
    stored = await referentials.get_version(session, code, version=version)
    resolved = await referentials.resolved(session, stored.id)
    doc = resolved.document
    return ReferentialDetail(
        **_summary(stored, resolved),
        description=doc.description,
        status_note=doc.status_note,
        bands=[b.model_dump() for b in doc.bands],
        frameworks=[
            {
                "id": f.id,
                "name": f.name,
                "version": f.version,
                "items": [i.model_dump() for i in f.items],
            }
            for f in resolved.frameworks.values()
        ],
        themes=[
            ThemePublic(
                urn=t.urn,
                code=t.code,
                name=t.name,
                description=t.description,
                criteria=[
                    CriterionPublic(
                        urn=c.urn,
                        code=c.code,
                        name=c.name,
                        guidance=c.guidance,
                        evidence_examples=list(c.evidence_examples),
                        indicators=[i.model_dump() for i in c.indicators],
                        action_templates=[a.model_dump() for a in c.action_templates],
                        weight=c.weight,
                        kind=c.kind.value,
                        core=c.core,
                        scale=[ScaleLevel(**lvl.model_dump()) for lvl in c.scale.levels],
                        mappings=[m.model_dump() for m in c.mappings],
                        origin=f"{c.origin[0]}@{c.origin[1]}",
                    )
                    for c in t.criteria
                ],
            )
            for t in resolved.themes
        ],
        changes=stored.changes,
    )


@router.post("/{code}/versions/{version}/publication", response_model=ReferentialSummary)
async def publish_referential(
    code: Code,
    version: Annotated[int, Path(ge=1, le=MAX_VERSION)],
    principal: AdminDep,
    session: SessionDep,
) -> ReferentialSummary:
    """Publish an imported version (admin): new diagnostics default to it and may be opened on
    it or migrated to it. Publishing it again changes nothing; a version older than the latest
    published one is refused (409 ``referential-version-superseded``)."""
    stored = await referentials.publish(session, code, version=version, actor=principal.subject)
    return ReferentialSummary(**_summary(stored, await referentials.resolved(session, stored.id)))


@router.get("/{code}/differences", response_model=ReferentialDifferences)
async def compare_referential_versions(
    code: Code,
    _principal: SignedInDep,
    session: SessionDep,
    from_version: Annotated[int, Query(ge=1, le=MAX_VERSION, description="The older version")],
    to_version: Annotated[int, Query(ge=1, le=MAX_VERSION, description="The newer version")],
) -> ReferentialDifferences:
    """The differences between two versions of a referential: themes and criteria added and
    removed, each changed field of a kept criterion before and after, the score bands."""
    return ReferentialDifferences.model_validate(
        await referentials.compare(session, code, from_version=from_version, to_version=to_version)
    )


class ExportFormat(StrEnum):
    """The formats a referential file is exported in."""

    yaml = "yaml"
    json = "json"


#: The referential file format (``docs/referentials/referential.schema.json``), in YAML or JSON.
_FILE = {"schema": self_contained_schema(ReferentialFile)}


@router.get(
    "/{code}/versions/{version}/export",
    response_class=PlainTextResponse,
    responses={200: {"content": {"application/yaml": _FILE, "application/json": _FILE}}},
)
async def export_referential(
    code: Code,
    version: Annotated[int, Path(ge=1, le=MAX_VERSION)],
    _principal: AdminDep,
    session: SessionDep,
    format: Annotated[ExportFormat, Query()] = ExportFormat.yaml,
) -> Response:
    """The version's file, as imported (admin): importable into another platform."""
    stored = await referentials.get_version(session, code, version=version)
    as_json = format is ExportFormat.json
    filename = f"{stored.code.lower().replace('_', '-')}-v{stored.version}.{format.value}"
    return Response(
        referentials.export(stored, as_json=as_json),
        media_type="application/json" if as_json else "application/yaml; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
