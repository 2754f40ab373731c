"""The public screens, no sign-in: the registry of labels and certificates, a recognition's page
and its certificate, verification by the certificate's code (the QR code's target), and the
complaint form.

They call the registry's anonymous routes (``/v1/registry/...``). The complaint form is guarded
without any third-party service: a field people never see (a robot filling every field fills
it too), a signed timestamp (a post faster than a person types, or from a form older than a
day, is refused) and the gateway's own rate limit on anonymous writes.
"""

from __future__ import annotations

import re
from contextlib import AsyncExitStack
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeSerializer
from starlette.background import BackgroundTask

from cap_shared.clock import wall_timestamp
from cap_shared.text import fold
from cap_web.api import Api, ApiProblem, problem_of
from cap_web.console import ApiDep, console_of, is_htmx, redirect, render
from cap_web.words import REGIONS, SCHEMES

router = APIRouter()

#: The CAP RSE label's levels (the ISO 9001 certification has none).
LEVELS = ("Initial", "Progression", "Confirmé", "Exemplaire")
STATUSES = {
    "active": "Valide",
    "suspended": "Suspendu",
    "withdrawn": "Retiré",
    "expired": "Expiré",
    "renewed": "Renouvelé",
}
#: How each status is shown (tag colour).
STATUS_TONES = {
    "active": "ok",
    "suspended": "warn",
    "withdrawn": "bad",
    "expired": "bad",
    "renewed": "",
}
PAGE_SIZE = 20
#: A recognition's public number (the API's pattern, without "/": one path segment).
NUMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.\-]{2,59}$")
#: What a verification code may hold before the API reads it (12 letters and digits, dashes).
CODE = re.compile(r"^[A-Za-z0-9\-]{1,40}$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SPACES = re.compile(r"\s+")

#: The complaint form: the field only robots fill, and how fast and how late a person posts.
HONEYPOT = "site_web"
MIN_FILL_S = 3
MAX_FORM_AGE_S = 24 * 3600
DRAFT_KEY = re.compile(r"^reclamation(-[A-Za-z0-9.\-]{3,60})?$")


def clean_line(value: str | None, most: int = 200) -> str:
    """One line of typed text: control characters dropped, spaces collapsed, cut at ``most``."""
    return _SPACES.sub(" ", _CONTROL.sub("", value or "")).strip()[:most]


def _choice(value: str | None, allowed: Any) -> str:
    """``value`` when it is one of ``allowed`` (an unknown filter is ignored), else ""."""
    return value if value is not None and value in allowed else ""


def verification_code(verification_url: str) -> str:
    """The code at the end of a recognition's verification URL."""
    return verification_url.rstrip("/").rsplit("/", 1)[-1]


def _context() -> dict[str, Any]:
    return {
        "regions": sorted(REGIONS.items(), key=lambda item: fold(item[1])),
        "schemes": SCHEMES,
        "levels": LEVELS,
        "statuses": STATUSES,
        "tones": STATUS_TONES,
        "code_of": verification_code,
    }


# the registry --------------------------------------------------------------------------------------
@router.get("/registre", include_in_schema=False)
async def registry(request: Request, api: ApiDep) -> Response:
    """Search the registry: name, region, scheme, level, status; paged with the API's cursor.
    htmx asks for the results alone while the person types."""
    params = request.query_params
    raw_q = params.get("q") or ""
    q = clean_line(raw_q, 200)
    filters = {
        "q": q,
        "region": _choice(params.get("region"), REGIONS),
        "scheme": _choice(params.get("scheme"), SCHEMES),
        "level": _choice(params.get("level"), LEVELS),
        "status": _choice(params.get("status"), STATUSES),
    }
    cursor = (params.get("cursor") or "")[:2000] or None
    q_error = None
    if len(q) == 1:
        q_error = "Tapez au moins 2 lettres du nom de la structure."
    elif len(q) > 100:
        q_error = "Le nom cherché ne peut pas dépasser 100 caractères."
    entries: list[dict[str, Any]] = []
    next_cursor: str | None = None
    problem: ApiProblem | None = None
    if q_error is None:
        try:
            page = await api.get(
                "/v1/registry/recognitions",
                **{k: v for k, v in filters.items() if v},
                cursor=cursor,
                limit=PAGE_SIZE,
            )
            entries, next_cursor = page["data"], page.get("next_cursor")
        except ApiProblem as exc:
            if exc.status >= 500 or exc.status == 429:
                raise
            problem = exc
    query = {k: v for k, v in filters.items() if v}
    context = {
        **_context(),
        "filters": filters,
        "q_error": q_error,
        "entries": entries,
        "problem": problem,
        "paged": cursor is not None,
        "first_url": "/registre" + (f"?{urlencode(query)}" if query else ""),
        "next_url": (
            "/registre?" + urlencode({**query, "cursor": next_cursor}) if next_cursor else None
        ),
    }
    status = 422 if q_error or problem else 200
    partial = is_htmx(request) and request.headers.get("hx-history-restore-request") != "true"
    template = "public/_results.html" if partial else "public/registry.html"
    return render(request, template, context, status_code=200 if partial else status)


async def _recognition(api: Api, number: str) -> dict[str, Any] | None:
    """The recognition's public record, None when no recognition has this number."""
    if not NUMBER.match(number):
        return None
    try:
        found: dict[str, Any] = await api.get(f"/v1/registry/recognitions/{quote(number)}")
    except ApiProblem as exc:
        if exc.status in (400, 404, 422):
            return None
        raise
    return found


def _not_found(request: Request, number: str) -> Response:
    return render(
        request,
        "public/not_found.html",
        {"number": clean_line(number, 80)},
        status_code=404,
    )


@router.get("/registre/{number}", include_in_schema=False)
async def recognition(request: Request, api: ApiDep, number: str) -> Response:
    """A recognition: holder, scheme, level, scope, dates, status and its public history."""
    found = await _recognition(api, number)
    if found is None:
        return _not_found(request, number)
    return render(request, "public/recognition.html", {**_context(), "r": found})


@router.get("/registre/{number}/certificat.pdf", include_in_schema=False)
async def certificate(request: Request, api: ApiDep, number: str) -> Response:
    """The certificate (PDF), streamed from the API with its type and file name."""
    if not NUMBER.match(number):
        return _not_found(request, number)
    stack = AsyncExitStack()
    answer = await stack.enter_async_context(
        api.stream(f"/v1/registry/recognitions/{quote(number)}/certificate.pdf")
    )
    if answer.status_code != 200:
        await answer.aread()
        await stack.aclose()
        if answer.status_code in (400, 404, 422):
            return _not_found(request, number)
        raise problem_of(answer)
    headers = {"cache-control": "no-store"}
    disposition = answer.headers.get("content-disposition")
    headers["content-disposition"] = disposition or (
        f'attachment; filename="certificat-{number}.pdf"'
    )
    return StreamingResponse(
        answer.aiter_bytes(),
        media_type=answer.headers.get("content-type", "application/pdf"),
        headers=headers,
        background=BackgroundTask(stack.aclose),
    )


# verification --------------------------------------------------------------------------------------
def normalise_code(value: str) -> str:
    """A code as people type it: spaces and control characters out, upper case, and 12 letters
    and digits written as the certificate prints them (``K7QH-3M9X-PT2A``)."""
    code = _SPACES.sub("", _CONTROL.sub("", value)).upper()
    bare = code.replace("-", "")
    if len(bare) == 12 and bare.isascii() and bare.isalnum():
        return f"{bare[:4]}-{bare[4:8]}-{bare[8:]}"
    return code


@router.get("/verifier", include_in_schema=False)
async def verify_form(request: Request) -> Response:
    """Type the code printed on the certificate; without script the form's GET lands here."""
    typed = request.query_params.get("code")
    if typed is None:
        return render(request, "public/verify_form.html", {"code": "", "error": None})
    code = normalise_code(typed)
    if not code:
        error = "Saisissez le code imprimé sur le certificat."
    elif not CODE.match(code):
        error = (
            "Ce code n'a pas la forme d'un code de vérification : 12 lettres et chiffres, "
            "par exemple K7QH-3M9X-PT2A."
        )
    else:
        return redirect(f"/verifier/{quote(code)}")
    return render(
        request,
        "public/verify_form.html",
        {"code": clean_line(typed, 60), "error": error},
        status_code=422,
    )


@router.get("/verifier/{code}", include_in_schema=False)
async def verify(request: Request, api: ApiDep, code: str) -> Response:
    """The verdict for a code: valid, suspended, withdrawn, expired, renewed — or unknown."""
    shown = clean_line(code, 60)
    canonical = normalise_code(code)
    if not CODE.match(canonical):
        return render(
            request,
            "public/verify.html",
            {**_context(), "code": shown, "state": "malformed"},
            status_code=400,
        )
    try:
        found = await api.get(f"/v1/registry/verify/{quote(canonical)}")
    except ApiProblem as exc:
        if exc.status == 404:
            state, status = "unknown", 404
        elif exc.status in (400, 422):
            state, status = "malformed", 400
        else:
            raise
        return render(
            request,
            "public/verify.html",
            {**_context(), "code": shown, "state": state},
            status_code=status,
        )
    return render(
        request,
        "public/verify.html",
        {**_context(), "code": canonical, "state": found["status"], "r": found},
    )


# complaints ----------------------------------------------------------------------------------------
def _signer(request: Request) -> TimestampSigner:
    return TimestampSigner(console_of(request).settings.secret_key, salt="cap-web.complaint-form")


def _receipts(request: Request) -> URLSafeSerializer:
    return URLSafeSerializer(console_of(request).settings.secret_key, salt="cap-web.complaint")


def form_token(request: Request) -> str:
    """When the form was shown, signed (checked when it comes back)."""
    return _signer(request).sign(b"complaint").decode()


def form_refusal(request: Request, token: str, honeypot: str) -> str | None:
    """Why a posted complaint form is refused as not typed by a person (None: accepted)."""
    if honeypot:
        return (
            "Le formulaire semble avoir été rempli automatiquement (un champ invisible, "
            "réservé aux contrôles, contenait du texte). Relisez votre message puis "
            "envoyez-le à nouveau."
        )
    try:
        _, signed_at = _signer(request).unsign(token, max_age=MAX_FORM_AGE_S, return_timestamp=True)
    except SignatureExpired:
        return (
            "Ce formulaire est resté ouvert trop longtemps. Vérifiez votre message "
            "ci-dessous puis envoyez-le à nouveau."
        )
    except BadSignature:
        return (
            "Ce formulaire n'a pas pu être vérifié. Vérifiez votre message ci-dessous "
            "puis envoyez-le à nouveau."
        )
    if wall_timestamp() - signed_at.timestamp() < MIN_FILL_S:
        return (
            "Votre message a été envoyé trop vite après l'ouverture de la page pour avoir été "
            "saisi par une personne. Relisez-le puis envoyez-le à nouveau."
        )
    return None


def _complaint_form(
    request: Request,
    values: dict[str, str],
    *,
    errors: dict[str, str] | None = None,
    problem: ApiProblem | None = None,
    refusal: str | None = None,
    status_code: int = 200,
    holder: str | None = None,
    idempotency_key: str | None = None,
    draft_key: str = "reclamation",
) -> Response:
    context: dict[str, Any] = {
        "draft_key": draft_key,
        "values": values,
        "errors": errors or {},
        "problem": problem,
        "refusal": refusal,
        "form_token": form_token(request),
        "honeypot": HONEYPOT,
        "holder": holder,
    }
    if idempotency_key:
        context["idempotency_key"] = idempotency_key
    return render(request, "public/complaint.html", context, status_code=status_code)


@router.get("/reclamation", include_in_schema=False)
async def complaint_form(request: Request, api: ApiDep) -> Response:
    """The complaint form, prefilled with the recognition's number from its page."""
    number = clean_line(request.query_params.get("numero"), 60).upper()
    holder = None
    if number:
        found = await _recognition(api, number)
        if found is None:
            number = ""
        else:
            holder = found["holder"]["name"]
    return _complaint_form(
        request,
        {"numero": number, "name": "", "email": "", "message": ""},
        holder=holder,
        draft_key=f"reclamation-{number}" if holder else "reclamation",
    )


def _checked(values: dict[str, str]) -> dict[str, str]:
    """The console's own checks of the complaint (the API checks again)."""
    errors: dict[str, str] = {}
    if not NUMBER.match(values["numero"]):
        errors["numero"] = (
            "Indiquez le numéro de la reconnaissance, tel qu'il figure sur le certificat ou "
            "dans le registre (par exemple CAPRSE-OCC-2025-020)."
        )
    if len(values["name"]) < 2:
        errors["name"] = "Indiquez votre nom (2 caractères au moins)."
    elif len(values["name"]) > 200:
        errors["name"] = "Votre nom ne peut pas dépasser 200 caractères."
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", values["email"]) or len(values["email"]) > 254:
        errors["email"] = "Indiquez une adresse e-mail valide, par exemple nom@exemple.fr."
    message = values["message"].strip()
    if len(message) < 10:
        errors["message"] = "Décrivez le problème en quelques mots (10 caractères au moins)."
    elif len(message) > 4000:
        errors["message"] = (
            f"Votre message compte {len(message)} caractères : 4 000 au plus. Raccourcissez-le."
        )
    return errors


@router.post("/reclamation", include_in_schema=False)
async def complain(request: Request, api: ApiDep) -> Response:
    """Send the complaint to the registry; refused posts keep what the person typed."""
    form = await request.form()

    def text(name: str) -> str:
        value = form.get(name)
        return value if isinstance(value, str) else ""

    # Newlines and tabs stay in the message; other control characters cannot be stored.
    values = {
        "numero": clean_line(text("numero"), 60).upper(),
        "name": clean_line(text("name"), 300),
        "email": clean_line(text("email"), 300),
        "message": _CONTROL.sub("", text("message").replace("\r\n", "\n"))[:10_000],
    }
    key = clean_line(text("idempotency_key"), 100) or None
    # The browser keeps the typed text under this key until the registry has the complaint.
    draft = text("draft_key") if DRAFT_KEY.match(text("draft_key")) else "reclamation"
    refusal = form_refusal(request, text("form_token"), text(HONEYPOT))
    if refusal:
        return _complaint_form(
            request, values, refusal=refusal, status_code=422, idempotency_key=key, draft_key=draft
        )
    errors = _checked(values)
    if errors:
        return _complaint_form(
            request, values, errors=errors, status_code=422, idempotency_key=key, draft_key=draft
        )
    try:
        answer = await api.post(
            f"/v1/registry/recognitions/{quote(values['numero'])}/complaints",
            {
                "name": values["name"],
                "email": values["email"],
                "message": values["message"].strip(),
            },
            idempotency_key=key,
        )
    except ApiProblem as exc:
        if exc.status >= 500:
            raise
        errors = {}
        if exc.status == 404:
            errors["numero"] = "Aucune reconnaissance du registre n'a ce numéro."
        else:
            errors = {k: v for k, v in exc.field_messages().items() if k in values}
        return _complaint_form(
            request,
            values,
            errors=errors,
            problem=exc,
            status_code=429 if exc.status == 429 else 422,
            idempotency_key=key,
            draft_key=draft,
        )
    receipt = _receipts(request).dumps(
        {"reference": answer.body["reference"], "number": answer.body["number"], "draft": draft}
    )
    return redirect(f"/reclamation/recue?recu={receipt}", request=request)


@router.get("/reclamation/recue", include_in_schema=False)
async def complaint_received(request: Request) -> Response:
    """The confirmation, with the complaint's reference (signed: no one forges it)."""
    try:
        receipt = _receipts(request).loads(request.query_params.get("recu") or "")
    except BadSignature:
        return render(
            request,
            "error.html",
            {
                "title": "Accusé de réception introuvable",
                "detail": "Ce lien ne correspond à aucune réclamation envoyée depuis la console.",
            },
            status_code=404,
        )
    return render(request, "public/complaint_received.html", {"receipt": receipt})
