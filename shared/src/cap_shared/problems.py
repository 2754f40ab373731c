"""RFC 9457 problem details: one exception family, one set of handlers, never a stack trace."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from contextvars import ContextVar
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from cap_shared.correlation import current_request_id
from cap_shared.field_errors import message_fr

PROBLEM_JSON = "application/problem+json"
PROBLEM_TYPE_BASE = "https://cap.coorace.org/problems/"
#: The members every problem has (RFC 9457 §3.1, and the request id); an extension never
#: replaces one of them.
MEMBERS = frozenset({"type", "title", "status", "detail", "instance", "request_id"})

logger = logging.getLogger(__name__)

#: The languages problems are written in; English unless the request prefers French.
LANGUAGES = ("en", "fr")
_language: ContextVar[str] = ContextVar("problem_language", default="en")


def language_of(accept_language: str | None) -> str:
    """``fr`` when ``Accept-Language`` prefers French to English (RFC 9110 §12.5.4), else ``en``.

    ``fr``, ``fr-FR``, ``fr-CA;q=0.9, en;q=0.8`` give French; ``en, fr;q=0.5``, ``de`` or
    nothing give English. A malformed weight counts as 0."""
    best, best_q = "en", 0.0
    for position, item in enumerate((accept_language or "")[:512].split(",")):
        tag, _, params = item.strip().partition(";")
        primary = tag.strip().lower().split("-", 1)[0]
        if primary not in LANGUAGES and primary != "*":
            continue
        q = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
                if not 0.0 <= q <= 1.0:
                    q = 0.0
        language = "en" if primary == "*" else primary
        # Equal weights: the first one listed wins (position breaks the tie).
        if q > best_q or (q == best_q and position == 0 and q > 0):
            best, best_q = language, q
    return best


def current_language() -> str:
    """The language of the running request's problems (``en`` or ``fr``)."""
    return _language.get()


class ProblemLanguageMiddleware:
    """Bind the request's preferred problem language (``Accept-Language``) to its task."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        """Serve the request with the problem language its Accept-Language asks for."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        header = next((v for k, v in scope.get("headers", ()) if k == b"accept-language"), b"")
        token = _language.set(language_of(header.decode("latin-1")))
        try:
            await self.app(scope, receive, send)
        finally:
            _language.reset(token)


class ProblemError(Exception):
    """A business or request error that carries its HTTP status and is rendered as problem+json.

    Subclasses set ``status``, ``code`` (the slug of the problem ``type``) and ``title``; raise
    them from services and routes alike.
    """

    status: int = 400
    code: str = "bad-request"
    title: str = "Bad request"
    #: The title in French, for ``Accept-Language: fr`` (see :func:`language_of`).
    title_fr: str = "Requête invalide"

    def __init__(
        self,
        detail: str | None = None,
        *,
        detail_fr: str | None = None,
        extensions: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(detail or self.title)
        self.detail = detail
        #: The detail in French; without it a French answer carries the French title only.
        self.detail_fr = detail_fr
        self.extensions = dict(extensions or {})
        self.headers = dict(headers or {})


class NotFound(ProblemError):
    """The resource does not exist (or the caller may not know it exists)."""

    status, code, title = 404, "not-found", "Resource not found"
    title_fr = "Ressource introuvable"


class Conflict(ProblemError):
    """The request conflicts with the current state of the resource."""

    status, code, title = 409, "conflict", "Conflict"
    title_fr = "Conflit"


class InvalidInput(ProblemError):
    """Well-formed input that a rule refuses (a required reason, an unknown value); name the
    field in ``extensions={"errors": [{"field": "body.x", "message": ...}]}`` (an item may add
    ``"message_fr"``: the message of French answers)."""

    status, code, title = 422, "validation-error", "Invalid input"
    title_fr = "Saisie invalide"


class Unauthorized(ProblemError):
    """No valid credentials."""

    status, code, title = 401, "unauthorized", "Authentication required"
    title_fr = "Authentification requise"

    def __init__(self, detail: str | None = None, *, detail_fr: str | None = None) -> None:
        super().__init__(detail, detail_fr=detail_fr, headers={"WWW-Authenticate": "Bearer"})


class Forbidden(ProblemError):
    """Valid credentials that do not allow this operation."""

    status, code, title = 403, "forbidden", "Forbidden"
    title_fr = "Accès refusé"


class ServiceUnavailable(ProblemError):
    """A dependency needed for this request is unreachable; try again later."""

    status, code, title = 503, "service-unavailable", "Service unavailable"
    title_fr = "Service indisponible"


def problem_response(
    *,
    status: int,
    code: str,
    title: str,
    detail: str | None = None,
    instance: str | None = None,
    extensions: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
    title_fr: str | None = None,
    detail_fr: str | None = None,
) -> JSONResponse:
    """Build a problem+json response carrying the current request id. An extension named like
    a standard member (a resource's own ``status``) is given as ``current_<name>``: ``status``
    stays the HTTP status code, as RFC 9457 defines it.

    When the request prefers French (:class:`ProblemLanguageMiddleware`), ``title_fr`` and
    ``detail_fr`` are used; a French answer without ``detail_fr`` carries no detail rather
    than an English one (the French title says what happened)."""
    french = current_language() == "fr" and title_fr is not None
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + code,
        "title": title_fr if french else title,
        "status": status,
    }
    if french:
        if detail_fr:
            body["detail"] = detail_fr
    elif detail:
        body["detail"] = detail
    if instance:
        body["instance"] = instance
    request_id = current_request_id()
    if request_id:
        body["request_id"] = request_id
    for key, value in (extensions or {}).items():
        if key == "errors" and isinstance(value, list):
            value = [_in_language(item, french) for item in value]
        body[f"current_{key}" if key in MEMBERS else key] = value
    all_headers = {"Content-Language": "fr" if french else "en", "Vary": "Accept-Language"}
    all_headers.update(headers or {})
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=all_headers)


def _in_language(item: Any, french: bool) -> Any:
    """A field error (``errors[]`` item) in the answer's language: its ``message_fr``, when it
    has one, replaces ``message`` in French; it is never sent as a member of its own."""
    if not isinstance(item, Mapping) or "message_fr" not in item:
        return item
    out = {k: v for k, v in item.items() if k != "message_fr"}
    if french and item["message_fr"]:
        out["message"] = item["message_fr"]
    return out


#: French titles of the HTTP statuses the framework answers by itself (unknown path, method).
HTTP_TITLES_FR = {
    400: "Requête invalide",
    401: "Authentification requise",
    403: "Accès refusé",
    404: "Introuvable",
    405: "Méthode non autorisée",
    406: "Format de réponse non disponible",
    409: "Conflit",
    411: "Longueur requise",
    412: "Version périmée",
    413: "Requête trop volumineuse",
    415: "Format de contenu non pris en charge",
    422: "Requête invalide",
    428: "Précondition requise",
    429: "Trop de requêtes",
    500: "Erreur interne",
    502: "Service injoignable",
    503: "Service indisponible",
    504: "Délai de réponse dépassé",
}


def _field_errors(errors: Sequence[Any]) -> list[dict[str, Any]]:
    """Validation errors that name the field (``body.siret``), without echoing raw input objects."""
    french = current_language() == "fr"
    out = []
    for err in errors:
        loc = [str(part) for part in err.get("loc", ())]
        message = err.get("msg", "invalid")
        if french:
            # A validator's own ValueError without a French wording keeps its English message.
            message = message_fr(err) or message
        out.append({"field": ".".join(loc), "message": message, "type": err.get("type")})
    return out


def problem_from(exc: ProblemError, *, instance: str | None = None) -> JSONResponse:
    """The problem+json response of a raised :class:`ProblemError`."""
    return problem_response(
        status=exc.status,
        code=exc.code,
        title=exc.title,
        detail=exc.detail,
        instance=instance,
        extensions=exc.extensions,
        headers=exc.headers,
        title_fr=exc.title_fr,
        detail_fr=exc.detail_fr,
    )


async def _problem_error_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ProblemError)
    return problem_from(exc, instance=request.url.path)


async def _validation_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return problem_response(
        status=422,
        code="validation-error",
        title="Invalid request",
        detail="One or more fields are invalid.",
        title_fr="Requête invalide",
        detail_fr="Un ou plusieurs champs sont invalides.",
        instance=request.url.path,
        extensions={"errors": _field_errors(exc.errors())},
    )


async def _http_exception_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    status = exc.status_code
    phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
    detail = exc.detail if isinstance(exc.detail, str) and exc.detail != phrase else None
    return problem_response(
        status=status,
        code=phrase.lower().replace(" ", "-"),
        title=phrase,
        detail=detail,
        instance=request.url.path,
        headers=exc.headers,
        title_fr=HTTP_TITLES_FR.get(status, phrase),
        # A framework's own detail is English only: a French answer has the French title.
        detail_fr=None,
    )


async def _unhandled_handler(request: Request, exc: Exception) -> JSONResponse:
    # A 5xx is always a bug: log it with its trace, show the client nothing of it.
    logger.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem_response(
        status=500,
        code="internal-error",
        title="Internal server error",
        detail="An unexpected error occurred; it has been logged with this request id.",
        title_fr="Erreur interne",
        detail_fr="Une erreur inattendue est survenue ; elle est consignée avec cet "
        "identifiant de requête.",
        instance=request.url.path,
    )


def refused_by_row_security(exc: BaseException) -> bool:
    """Whether PostgreSQL's row-level security refused a row (a write outside the caller's
    organisations that the service layer let through)."""
    orig = getattr(exc, "orig", None)
    return getattr(orig, "sqlstate", None) == "42501" and "row-level security" in str(orig)


async def _unavailable_handler(request: Request, exc: Exception) -> JSONResponse:
    # Imported here: cap_shared.db imports the security layer, which imports this module.
    from cap_shared.db.outage import database_unreachable

    if refused_by_row_security(exc):
        # The database backstop caught what the service layer should have refused: a bug to
        # fix (logged with its trace), but for the client, a refusal like any other.
        logger.error(
            "row-level security refused a write on %s %s",
            request.method,
            request.url.path,
            exc_info=exc,
        )
        return problem_response(
            status=403,
            code="forbidden",
            title="Forbidden",
            detail="This record belongs to an organisation outside yours.",
            title_fr="Accès refusé",
            detail_fr="Cet enregistrement appartient à une autre structure que la vôtre.",
            instance=request.url.path,
        )
    unreachable = (
        isinstance(exc, OSError)
        or (
            isinstance(exc, DBAPIError)
            and (exc.connection_invalidated or isinstance(exc, OperationalError | InterfaceError))
        )
        # e.g. 57P03 "the database system is starting up" while it restarts, 57P01 while it
        # stops, too many connections, a pool timeout: see cap_shared.db.outage.
        or database_unreachable(exc)
    )
    if unreachable:
        # The database (or another dependency) is unreachable or went away: not a bug.
        logger.warning("dependency unavailable on %s %s: %r", request.method, request.url.path, exc)
        return problem_response(
            status=503,
            code="dependency-unavailable",
            title="Service unavailable",
            detail="A database or service this request needs is unavailable; try again shortly.",
            title_fr="Service indisponible",
            detail_fr="Une base de données ou un service nécessaire est indisponible ; "
            "réessayez dans un instant.",
            instance=request.url.path,
            headers={"Retry-After": "5"},
        )
    return await _unhandled_handler(request, exc)


def install_problem_handlers(app: FastAPI) -> None:
    """Render every error of ``app`` as problem+json."""
    app.add_exception_handler(ProblemError, _problem_error_handler)
    app.add_exception_handler(DBAPIError, _unavailable_handler)
    # A connection that cannot be made (refused, reset) surfaces as OSError from the driver.
    app.add_exception_handler(OSError, _unavailable_handler)
    # The pool could not hand out a connection in time (the database is slow to accept them).
    app.add_exception_handler(PoolTimeout, _unavailable_handler)
    app.add_exception_handler(RequestValidationError, _validation_handler)
    app.add_exception_handler(StarletteHTTPException, _http_exception_handler)
    app.add_exception_handler(Exception, _unhandled_handler)
