"""``/admin/regles-de-niveau``: the level rules of the referential versions — their revisions,
the thresholds of each level shown, the rule file exported, and a new revision imported.

A rule is the API's data (``/v1/level-rules``): the console reads its JSON file to show the
thresholds and sends an imported file as it is, with the ETag of the revision it was shown
(``If-Match``): another administrator's import in between is a 412, "modifié entre-temps".
"""

from __future__ import annotations

import json
import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from cap_web.api import Api, ApiProblem, problem_of
from cap_web.console import ApiDep, redirect, render
from cap_web.pages.admin.common import Admin

router = APIRouter()

#: A rule's referential code in an address (the API's pattern).
_CODE = re.compile(r"[A-Z][A-Z0-9_]{0,39}")
#: The largest rule file sent on (the API's limit: 256 KB).
MAX_RULE = 256 * 1024
SOURCE = {"shipped": "Livrée avec la plateforme", "import": "Importée"}


def _code(code: str = Path()) -> str:
    """A referential code from the address; anything else does not exist."""
    if not _CODE.fullmatch(code):
        raise HTTPException(404)
    return code


def _version(version: str = Path()) -> int:
    """A version number from the address (1 to 10 000); anything else does not exist."""
    if not version.isdigit() or not 1 <= int(version) <= 10_000:
        raise HTTPException(404)
    return int(version)


Code = Annotated[str, Depends(_code)]
Version = Annotated[int, Depends(_version)]


async def rules_page(
    request: Request, api: Api, *, status_code: int = 200, **extra: Any
) -> Response:
    """Every referential version's rule (its latest revision) and the form for a new one."""
    rules = await api.pages("/v1/level-rules", most=500)
    return render(
        request,
        "admin/level_rules.html",
        {
            "rules": rules,
            "SOURCE": SOURCE,
            "imported": request.query_params.get("importee", ""),
            **extra,
        },
        status_code=status_code,
    )


@router.get("/admin/regles-de-niveau", include_in_schema=False)
async def level_rules_page(request: Request, api: ApiDep, _person: Admin) -> Response:
    """The level rules, one per referential version, with their revision and levels."""
    return await rules_page(request, api)


async def read_rule(api: Api, code: str, version: int) -> tuple[dict[str, Any], str | None]:
    """A version's rule file as JSON, and the ETag of its revision."""
    response = await api.request(
        "GET",
        f"/v1/level-rules/{code}/versions/{version}",
        params={"format": "json"},
        headers={"accept": "application/json"},
    )
    if response.status_code >= 400:
        raise problem_of(response)
    rule: dict[str, Any] = json.loads(response.content)
    return rule, response.headers.get("etag")


def thresholds(rule: dict[str, Any]) -> list[dict[str, Any]]:
    """Each level with its score band and every core subject's minimum, from lowest to highest
    (what the file says: a subject not named takes the level's general minimum)."""
    subjects = list(rule.get("core_subjects") or [])
    label_from = rule.get("label_from")
    names = [str(level["name"]) for level in rule.get("levels") or []]
    first_label = names.index(label_from) if label_from in names else 0
    out = []
    for i, level in enumerate(rule.get("levels") or []):
        own = level.get("core_subject_minimums") or {}
        general = int(level.get("core_subject_minimum") or 0)
        out.append(
            {
                "name": level["name"],
                "min_score": level["min_score"],
                "max_score": level["max_score"],
                "general": general,
                "subjects": [(s, int(own.get(s, general)), s in own) for s in subjects],
                "is_label": i >= first_label,
            }
        )
    return out


async def rule_page(
    request: Request,
    api: Api,
    code: str,
    version: int,
    *,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    """One version's rule: its thresholds, its revision, export links and the import form."""
    rule, etag = await read_rule(api, code, version)
    summaries = await api.pages("/v1/level-rules", most=500, referential_code=code)
    summary: dict[str, Any] = next(
        (r for r in summaries if r.get("referential_version") == version), {}
    )
    return render(
        request,
        "admin/level_rule.html",
        {
            "code": code,
            "version": version,
            "rule": rule,
            "summary": summary,
            "levels": thresholds(rule),
            "etag": etag,
            "SOURCE": SOURCE,
            "imported": request.query_params.get("importee", ""),
            **extra,
        },
        status_code=status_code,
    )


@router.get("/admin/regles-de-niveau/{code}/versions/{version}", include_in_schema=False)
async def level_rule_page(
    request: Request, api: ApiDep, _person: Admin, code: Code, version: Version
) -> Response:
    """The thresholds of one referential version's rule."""
    return await rule_page(request, api, code, version)


@router.get(
    "/admin/regles-de-niveau/{code}/versions/{version}/regle.{fmt}", include_in_schema=False
)
async def export_level_rule(
    api: ApiDep, _person: Admin, code: Code, version: Version, fmt: str
) -> Response:
    """The rule file (YAML or JSON) from the API, importable as it is."""
    if fmt not in ("yaml", "json"):
        raise HTTPException(404)
    response = await api.request(
        "GET",
        f"/v1/level-rules/{code}/versions/{version}",
        params={"format": fmt},
        headers={"accept": "*/*"},
    )
    if response.status_code >= 400:
        raise problem_of(response)
    name = f"{code.lower().replace('_', '-')}-v{version}-level-rule.{fmt}"
    return Response(
        response.content,
        media_type=response.headers.get("content-type", "application/octet-stream"),
        headers={
            "content-disposition": response.headers.get(
                "content-disposition", f'attachment; filename="{name}"'
            )
        },
    )


def _rule_errors(problem: ApiProblem) -> list[str]:
    """The import's errors, each with the field it names."""
    out = []
    for error in problem.errors:
        where = str(error.get("field") or "").removeprefix("body.")
        message = str(error.get("message_fr") or error.get("message") or "")
        out.append(f"{where} : {message}" if where else message)
    return out


async def _uploaded(request: Request) -> tuple[bytes | None, str | None, dict[str, Any]]:
    """The file of an import form, or the reason it cannot be sent; and the form."""
    data = dict(await request.form())
    upload = data.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return None, "Choisissez le fichier de la règle (YAML ou JSON).", data
    content = await upload.read(MAX_RULE + 1)
    if not content:
        return None, "Ce fichier est vide.", data
    if len(content) > MAX_RULE:
        return None, "Ce fichier dépasse 256 Ko.", data
    return content, None, data


async def _put(api: Api, code: str, version: int, content: bytes, etag: str | None) -> int:
    """Send the rule file as it is; the API's status (201: a new revision, 200: the same)."""
    text = content.lstrip()
    kind = "application/json" if text.startswith((b"{", b"[")) else "application/yaml"
    answer = await api.call(
        "PUT",
        f"/v1/level-rules/{code}/versions/{version}",
        content=content,
        headers={"content-type": kind},
        if_match=etag or None,
    )
    return answer.status


@router.post("/admin/regles-de-niveau/{code}/versions/{version}", include_in_schema=False)
async def import_revision(
    request: Request, api: ApiDep, _person: Admin, code: Code, version: Version
) -> Response:
    """A new revision of this version's rule, guarded by the ETag of the revision shown."""
    content, error, data = await _uploaded(request)
    if content is None:
        return await rule_page(request, api, code, version, status_code=422, file_error=error)
    try:
        status = await _put(api, code, version, content, str(data.get("etag") or ""))
    except ApiProblem as exc:
        if exc.status == 412:
            return await rule_page(
                request, api, code, version, status_code=412, stale=True, problem=exc
            )
        if exc.status not in (409, 422):
            raise
        return await rule_page(
            request,
            api,
            code,
            version,
            status_code=exc.status,
            problem=exc,
            file_errors=_rule_errors(exc),
        )
    outcome = "nouvelle" if status == 201 else "identique"
    return redirect(
        f"/admin/regles-de-niveau/{code}/versions/{version}?importee={outcome}", request=request
    )


@router.post("/admin/regles-de-niveau", include_in_schema=False)
async def import_for_version(request: Request, api: ApiDep, _person: Admin) -> Response:
    """A rule for a referential version named in the form (a new version's first rule)."""
    content, error, data = await _uploaded(request)
    code = str(data.get("code") or "").strip().upper()
    version = str(data.get("version") or "").strip()
    form = {"code": code, "version": version}
    errors: dict[str, str] = {}
    if not _CODE.fullmatch(code):
        errors["code"] = "Indiquez le code du référentiel, par exemple CAP_RSE."
    if not version.isdigit() or not 1 <= int(version) <= 10_000:
        errors["version"] = "Indiquez un numéro de version entre 1 et 10 000."
    if content is None or errors:
        return await rules_page(
            request, api, status_code=422, form=form, errors=errors, file_error=error
        )
    try:
        await _put(api, code, int(version), content, None)
    except ApiProblem as exc:
        if exc.status not in (409, 412, 422):
            raise
        return await rules_page(
            request,
            api,
            status_code=exc.status,
            form=form,
            errors={},
            problem=exc,
            file_errors=_rule_errors(exc),
        )
    return redirect(
        f"/admin/regles-de-niveau/{code}/versions/{version}?importee=nouvelle", request=request
    )
