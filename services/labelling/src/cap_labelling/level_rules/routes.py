"""HTTP routes of the level rules: list, export and import a referential version's rule."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, status
from fastapi.responses import Response

from cap_labelling.deps import Readers
from cap_labelling.level_rules import service as level_rules
from cap_labelling.level_rules.schemas import LevelRulePublic
from cap_shared.conditional import IfMatch, Precondition
from cap_shared.deps import RuntimeDep, SessionDep
from cap_shared.pagination import DEFAULT_PAGE_SIZE, Page, PageCursor, PageLimit
from cap_shared.routes import ERRORS, LIST_ERRORS, AdminDep

RuleCode = Annotated[str, Path(pattern=r"^[A-Z][A-Z0-9_]{0,39}$")]
RuleVersion = Annotated[int, Path(ge=1, le=10_000)]
_RULE_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "The rule file, YAML or JSON (as exported); at most 256 KB",
        "content": {
            "application/yaml": {"schema": level_rules.json_schema()},
            "application/json": {"schema": level_rules.json_schema()},
        },
    }
}

level_rule_routes = APIRouter(prefix="/v1/level-rules", tags=["level rules"], responses=ERRORS)


@level_rule_routes.get("", response_model=Page[LevelRulePublic], responses=LIST_ERRORS)
async def list_level_rules(
    _principal: Readers,
    session: SessionDep,
    referential_code: Annotated[
        str | None,
        Query(pattern=r"^[A-Z][A-Z0-9_]{0,39}$", description="Only this referential's versions"),
    ] = None,
    cursor: PageCursor = None,
    limit: PageLimit = DEFAULT_PAGE_SIZE,
) -> Page[LevelRulePublic]:
    """Every referential version's level rule (its latest revision): levels, which are labels;
    by referential code, then version."""
    return await level_rules.page(
        session, referential_code=referential_code, cursor=cursor, limit=limit
    )


@level_rule_routes.get(
    "/{code}/versions/{version}",
    response_class=Response,
    responses={
        200: {
            "content": {
                "application/yaml": {"schema": level_rules.json_schema()},
                "application/json": {"schema": level_rules.json_schema()},
            }
        }
    },
)
async def export_level_rule(
    code: RuleCode,
    version: RuleVersion,
    _principal: Readers,
    session: SessionDep,
    format: Literal["yaml", "json"] = "yaml",
) -> Response:
    """The rule file of a referential version, importable as is (YAML, or JSON); its ETag is
    the revision's (send it in If-Match to import the next one)."""
    row = await level_rules.get(session, code=code, version=version)
    as_json = format == "json"
    filename = f"{code.lower().replace('_', '-')}-v{version}-level-rule.{format}"
    return Response(
        level_rules.export(row, as_json=as_json),
        media_type="application/json" if as_json else "application/yaml; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "X-Rule-Revision": str(row.revision),
            "ETag": level_rules.etag(row),
        },
    )


@level_rule_routes.put(
    "/{code}/versions/{version}",
    response_model=LevelRulePublic,
    responses={
        200: {"description": "The same rule again: nothing changed"},
        201: {"model": LevelRulePublic, "description": "A new revision of the version's rule"},
    },
    openapi_extra=_RULE_BODY,
)
async def import_level_rule(
    code: RuleCode,
    version: RuleVersion,
    principal: AdminDep,
    session: SessionDep,
    runtime: RuntimeDep,
    request: Request,
    response: Response,
    precondition: Annotated[Precondition, Depends(IfMatch(required=False))],
) -> LevelRulePublic:
    """Import the level rule of a referential version (admin), YAML or JSON: validated whole
    (422 ``level-rule-invalid`` naming each field); a different rule becomes the version's next
    revision (201) and applies to open files; the same rule again changes nothing (200). With
    If-Match (the ETag of the rule file read), only if no other revision came since (412); the
    answer's ETag is the revision's."""
    content = b""
    async for chunk in request.stream():
        content += chunk
        if len(content) > level_rules.MAX_BYTES:
            break
    row, created = await level_rules.put(
        session,
        content,
        code=code,
        version=version,
        actor=principal.subject,
        now=runtime.clock.now(),
        precondition=precondition,
    )
    response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    response.headers["ETag"] = level_rules.etag(row)
    return level_rules.to_public(row)


ROUTERS = (level_rule_routes,)
