"""``/admin/referentiels``: the referential versions — import a file, export one, the differences
between two versions, publication.

An imported version is not offered to the structures until an administrator publishes it (the
API's rule: new diagnostics use the latest published version); the screen leads from an import
to the differences with the published version, and from there to its publication.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from cap_web.api import Api, ApiProblem, problem_of
from cap_web.console import ApiDep, redirect, render
from cap_web.pages.admin.common import Admin

router = APIRouter()

#: What a referential's code may be in an address (the API's own pattern).
_CODE = re.compile(r"[A-Za-z0-9._\-]{1,40}")
#: The largest file the form sends on (the API refuses more, with its own words).
MAX_UPLOAD = 2_000_000
#: The content's status in the file (whether the federation validated it).
CONTENT_STATUS = {"draft": "Projet à valider", "validated": "Validé par la fédération"}
#: The French words of the fields a difference names.
FIELDS = {
    "code": "Code",
    "name": "Intitulé",
    "guidance": "Aide à l'évaluation",
    "theme": "Thème",
    "weight": "Poids",
    "kind": "Nature (pratique ou résultat)",
    "core": "Critère essentiel",
    "scale": "Échelle de maturité",
    "mappings": "Correspondances (ISO 26000, ISO 9001…)",
    "evidence_examples": "Exemples de preuves",
    "indicators": "Indicateurs",
    "action_templates": "Actions de progrès proposées",
}


def _code(code: str = Path()) -> str:
    """A referential's code from the address; anything else is a page that does not exist."""
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


def by_code(versions: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """The versions grouped by referential code, newest first within each."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for v in versions:
        groups.setdefault(str(v["code"]), []).append(v)
    for listed in groups.values():
        listed.sort(key=lambda v: int(v["version"]), reverse=True)
    return dict(sorted(groups.items()))


def published_version(versions: list[dict[str, Any]]) -> int | None:
    """The version in use (the latest published) among one code's versions."""
    published = [int(v["version"]) for v in versions if v.get("published_at")]
    return max(published) if published else None


def said(value: str | None) -> str:
    """``CODE-N`` of an address (after an import or a publication) as French words."""
    code, _, number = (value or "").rpartition("-")
    if not _CODE.fullmatch(code) or not number.isdigit():
        return ""
    return f"La version {int(number)} de {code}"


async def list_page(
    request: Request,
    api: Api,
    *,
    problem: ApiProblem | None = None,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    """The list of versions by code, the import form, and a problem or a notice."""
    versions = await api.pages("/v1/referentials", most=500)
    groups = by_code(versions)
    return render(
        request,
        "admin/referentials.html",
        {
            "groups": groups,
            "in_use": {code: published_version(listed) for code, listed in groups.items()},
            "CONTENT_STATUS": CONTENT_STATUS,
            "problem": problem,
            "published": said(request.query_params.get("publiee")),
            "imported": said(request.query_params.get("importee")),
            **extra,
        },
        status_code=status_code,
    )


@router.get("/admin/referentiels", include_in_schema=False)
async def referentials_page(request: Request, api: ApiDep, _person: Admin) -> Response:
    """Every imported version, by referential: publication, export, differences; the import."""
    return await list_page(request, api)


def _file_errors(problem: ApiProblem) -> list[str]:
    """The import's errors as the API names them: the file, the object (its URN), the field."""
    out = []
    for error in problem.errors:
        where = " — ".join(
            str(error[k]) for k in ("object", "field") if error.get(k) not in (None, "")
        )
        message = str(error.get("message_fr") or error.get("message") or "")
        out.append(f"{where} : {message}" if where else message)
    return out


@router.post("/admin/referentiels/import", include_in_schema=False)
async def import_referential(request: Request, api: ApiDep, _person: Admin) -> Response:
    """Send the chosen file to the API; on success, the differences with the version in use."""
    data = await request.form()
    upload = data.get("file")
    key = str(data.get("idempotency_key") or "") or None
    if not isinstance(upload, UploadFile) or not upload.filename:
        return await list_page(
            request,
            api,
            status_code=422,
            file_error="Choisissez un fichier de référentiel (YAML ou JSON).",
        )
    content = await upload.read(MAX_UPLOAD + 1)
    name = re.sub(r"[^A-Za-z0-9._\-]", "_", upload.filename.rsplit("/", 1)[-1])[:100] or "upload"
    if not content:
        return await list_page(request, api, status_code=422, file_error="Ce fichier est vide.")
    if len(content) > MAX_UPLOAD:
        return await list_page(request, api, status_code=422, file_error="Ce fichier dépasse 2 Mo.")
    kind = "application/json" if name.lower().endswith(".json") else "application/yaml"
    try:
        answer = await api.call(
            "POST", "/v1/referentials", files={"file": (name, content, kind)}, idempotency_key=key
        )
    except ApiProblem as exc:
        if exc.status not in (409, 413, 422):
            raise
        return await list_page(
            request,
            api,
            problem=exc,
            file_errors=_file_errors(exc),
            status_code=exc.status,
        )
    imported = answer.body
    code, version = imported["code"], int(imported["version"])
    versions = [v for v in await api.pages("/v1/referentials", most=500) if v["code"] == code]
    base = published_version(versions)
    if base is None or base == version:
        return redirect(f"/admin/referentiels?importee={code}-{version}", request=request)
    return redirect(
        f"/admin/referentiels/{code}/differences?de={base}&a={version}&importee=1",
        request=request,
    )


@router.post("/admin/referentiels/{code}/versions/{version}/publication", include_in_schema=False)
async def publish_referential(
    request: Request, api: ApiDep, _person: Admin, code: Code, version: Version
) -> Response:
    """Publish a version: the structures' new diagnostics use it from now on."""
    data = await request.form()
    try:
        await api.post(
            f"/v1/referentials/{code}/versions/{version}/publication",
            idempotency_key=str(data.get("idempotency_key") or "") or None,
        )
    except ApiProblem as exc:
        if exc.status != 409:
            raise
        return await list_page(request, api, problem=exc, status_code=409)
    return redirect(f"/admin/referentiels?publiee={code}-{version}", request=request)


@router.get("/admin/referentiels/{code}/versions/{version}/export.{fmt}", include_in_schema=False)
async def export_referential(api: ApiDep, _person: Admin, code: Code, version: Version,
                             fmt: str) -> Response:  # fmt: skip
    """The version's file from the API (YAML or JSON), importable elsewhere as it is."""
    if fmt not in ("yaml", "json"):
        raise HTTPException(404)
    response = await api.request(
        "GET",
        f"/v1/referentials/{code}/versions/{version}/export",
        params={"format": fmt},
        headers={"accept": "*/*"},
    )
    if response.status_code >= 400:
        raise problem_of(response)
    filename = f"{code.lower()}-v{version}.{fmt}"
    return Response(
        response.content,
        media_type=response.headers.get("content-type", "application/octet-stream"),
        headers={
            "content-disposition": response.headers.get(
                "content-disposition", f'attachment; filename="{filename}"'
            )
        },
    )


def _number(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and 1 <= int(value) <= 10_000 else None


@router.get("/admin/referentiels/{code}/differences", include_in_schema=False)
async def differences_page(request: Request, api: ApiDep, _person: Admin, code: Code) -> Response:
    """The differences between two versions of a referential (chosen in a form), field by
    field; the newer one's publication when it is not published."""
    versions = sorted(
        (v for v in await api.pages("/v1/referentials", most=500) if v["code"] == code),
        key=lambda v: int(v["version"]),
    )
    if not versions:
        raise ApiProblem(404, "Référentiel introuvable", f"Aucun référentiel {code}.")
    numbers = [int(v["version"]) for v in versions]
    chosen_from = _number(request.query_params.get("de"))
    chosen_to = _number(request.query_params.get("a"))
    if chosen_to is None:
        chosen_to = numbers[-1]
    if chosen_from is None:
        older = [n for n in numbers if n < chosen_to]
        chosen_from = older[-1] if older else chosen_to
    diff: dict[str, Any] | None = None
    problem: ApiProblem | None = None
    if len(numbers) > 1:
        try:
            diff = await api.get(
                f"/v1/referentials/{code}/differences",
                from_version=chosen_from,
                to_version=chosen_to,
            )
        except ApiProblem as exc:
            if exc.status not in (404, 422):
                raise
            problem = exc
    target = next((v for v in versions if int(v["version"]) == chosen_to), None)
    return render(
        request,
        "admin/referential_differences.html",
        {
            "code": code,
            "name": versions[-1]["name"],
            "numbers": numbers,
            "chosen_from": chosen_from,
            "chosen_to": chosen_to,
            "diff": diff,
            "problem": problem,
            "target": target,
            "in_use": published_version(versions),
            "imported": request.query_params.get("importee") == "1",
            "FIELDS": FIELDS,
        },
        status_code=problem.status if problem else 200,
    )


@router.get("/admin/referentiels/{code}/versions/{version}", include_in_schema=False)
async def version_page(
    request: Request, api: ApiDep, _person: Admin, code: Code, version: Version
) -> Response:
    """One version: its content theme by theme, what its import changed, its publication."""
    detail = await api.get(f"/v1/referentials/{code}/versions/{version}")
    versions = [v for v in await api.pages("/v1/referentials", most=500) if v["code"] == code]
    return render(
        request,
        "admin/referential.html",
        {
            "r": detail,
            "code": code,
            "in_use": published_version(versions),
            "CONTENT_STATUS": CONTENT_STATUS,
        },
    )
