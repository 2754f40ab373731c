"""Errors in the API description: every error an operation can answer, as problem+json.

Every error leaves an app as RFC 9457 problem details (:mod:`cap_shared.problems`), so every
4xx and 5xx of every operation is declared with ``application/problem+json`` and one shared
``Problem`` schema. The statuses are derived from what the route really has, not a blanket
``default``:

* 401 when it declares who may call it (``Allow``, ``SignedIn``), 403 when that is a role or
  scope check (``Allow``);
* 404 when it has path parameters (unknown, or outside the caller's scope);
* 422 when it takes any input (fields named in ``errors[]``), and 400 when it takes a body
  (one that cannot be read as its media type) or a page ``cursor`` (one it did not make);
* 503 when it opens a database session or a reader (the database is unreachable);
* 412 (and 428 where ``If-Match`` is required) when it takes ``If-Match``
  (:class:`cap_shared.conditional.IfMatch`);
* whatever the route declares itself (409, 412...) keeps its description and gets the content.

Conditional requests are declared too (:func:`declare_conditional`): the ``ETag`` response
header and ``If-None-Match`` with its ``304`` on every ``GET`` answering JSON, ``If-Match``
(``required`` where a write without it gets 428) and the new ``ETag`` on the writes taking it.

The gateway adds what its edge answers on every operation it serves (413, 429, and the proxy's
401/502/503/504): :func:`declare_errors` there.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from pydantic import BaseModel

from cap_shared import problem_types
from cap_shared.conditional import MAX_HEADER_LENGTH, IfMatch
from cap_shared.deps import get_database, get_reader, get_session
from cap_shared.problems import PROBLEM_JSON
from cap_shared.security import Allow, SignedIn, api_routes

PROBLEM = "Problem"
PROBLEM_REF = {"$ref": f"#/components/schemas/{PROBLEM}"}
#: FastAPI's own validation-error schemas, replaced by ``Problem`` (its handler is ours).
FASTAPI_VALIDATION = ("HTTPValidationError", "ValidationError")

#: One field at fault: where it is (``body.siret``, ``query.limit``) and why.
FIELD_ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "field": {"type": "string"},
        "message": {"type": "string"},
        "type": {"anyOf": [{"type": "string"}, {"type": "null"}]},
    },
    "required": ["field", "message"],
}
#: The components this module adds; ``Problem`` is self-contained (it validates an answer alone).
SCHEMAS: dict[str, dict[str, Any]] = {
    PROBLEM: {
        "title": "Problem",
        "description": "An error, as RFC 9457 problem details. Members beyond these are "
        "extensions of the problem type (e.g. OAuth's `error`, a resource's `current_status`).",
        "type": "object",
        "properties": {
            "type": {
                "type": "string",
                "format": "uri",
                "description": "URI of the problem type; its last segment is a stable code",
            },
            "title": {"type": "string", "description": "Short summary of the problem type"},
            "status": {"type": "integer", "minimum": 400, "maximum": 599},
            "detail": {"type": "string", "description": "What went wrong with this request"},
            "instance": {"type": "string", "description": "The path the request was sent to"},
            "request_id": {
                "type": "string",
                "description": "The request id (also in the `X-Request-ID` header), for support",
            },
            "errors": {
                "type": "array",
                "description": "The fields at fault, when the input is",
                "items": FIELD_ERROR_SCHEMA,
            },
            "retry_after": {
                "type": "integer",
                "minimum": 0,
                "description": "Seconds to wait (429, as in `Retry-After`)",
            },
        },
        "required": ["type", "title", "status"],
        "additionalProperties": True,
    },
}

INVALID_CURSOR = "The cursor was not produced by this API"
#: What each derived status means, when the route does not say it in its own words.
DESCRIPTIONS = {
    400: "The body cannot be read as the declared media type",
    401: "No valid access token",
    403: "The caller's role or scopes do not allow this operation",
    404: "Unknown, or not visible to the caller",
    412: "`If-Match` names no current `ETag`: the resource changed since it was read "
    "(`current_etag` in the problem); nothing was written",
    413: "The request body is too large",
    422: "Invalid input (the fields are named in `errors[]`)",
    428: "`If-Match` is required (concurrent editors): read the resource, send its `ETag`",
    429: "Too many requests; `Retry-After` says when to try again",
    502: "The service behind the gateway failed to answer",
    503: "A database or service this request needs is unavailable; try again shortly",
    504: "The service behind the gateway did not answer in time",
}


def _access(dependant: Dependant) -> Allow | None:
    """The route's ``Allow`` (or ``SignedIn``) dependency, if it has one."""
    for sub in dependant.dependencies:
        if isinstance(sub.call, Allow):
            return sub.call
        found = _access(sub)
        if found is not None:
            return found
    return None


def _walk(dependant: Dependant) -> Iterable[Dependant]:
    """The route's dependant and all its sub-dependencies."""
    yield dependant
    for sub in dependant.dependencies:
        yield from _walk(sub)


def self_contained_schema(model: type[BaseModel]) -> dict[str, Any]:
    """``model``'s JSON schema with its definitions inlined, to declare where a component
    cannot be referred to (a response's content given by hand: a file answered as is)."""
    schema = model.model_json_schema()
    definitions = schema.pop("$defs", {})

    def inline(node: Any, seen: tuple[str, ...]) -> Any:
        if isinstance(node, dict):
            if "$ref" in node:
                name = str(node["$ref"]).rsplit("/", 1)[-1]
                if name in seen:  # a recursive type: its shape is not repeated forever
                    return {"type": "object"}
                return inline(definitions[name], (*seen, name))
            return {key: inline(value, seen) for key, value in node.items()}
        if isinstance(node, list):
            return [inline(value, seen) for value in node]
        return node

    inlined: dict[str, Any] = inline(schema, ())
    return inlined


def route_errors(dependant: Dependant, operation: Mapping[str, Any]) -> dict[int, str]:
    """The error statuses a route can answer and why, from its dependencies and parameters
    (``operation``: the route's operation, for a body or parameters it reads by itself)."""
    statuses: dict[int, str] = {}
    access = _access(dependant)
    if access is not None:
        statuses[401] = DESCRIPTIONS[401]
        if not isinstance(access, SignedIn):
            statuses[403] = DESCRIPTIONS[403]
    every = list(_walk(dependant))
    if any(d.path_params for d in every):
        statuses[404] = DESCRIPTIONS[404]
    unreadable = []
    if any(d.body_params for d in every):  # parsed by FastAPI: 400 when it cannot be read
        unreadable.append(DESCRIPTIONS[400])
    if any(p.alias == "cursor" for d in every for p in d.query_params):
        unreadable.append(INVALID_CURSOR)
    if unreadable:
        statuses[400] = "; or ".join(unreadable)
    takes_input = any(
        d.path_params or d.query_params or d.header_params or d.cookie_params or d.body_params
        for d in every
    )
    if takes_input or operation.get("parameters") or operation.get("requestBody"):
        statuses[422] = DESCRIPTIONS[422]
    if any(d.call in (get_session, get_reader, get_database) for d in every):
        statuses[503] = DESCRIPTIONS[503]
    precondition = if_match_of(dependant)
    if precondition is not None:
        statuses[412] = DESCRIPTIONS[412]
        if precondition.required:
            statuses[428] = DESCRIPTIONS[428]
    return statuses


def if_match_of(dependant: Dependant) -> IfMatch | None:
    """The route's ``IfMatch`` dependency, if it takes ``If-Match``."""
    return next((d.call for d in _walk(dependant) if isinstance(d.call, IfMatch)), None)


ETAG_HEADER = {
    "description": "Entity tag of the representation: send it back in `If-None-Match` "
    "(304 while unchanged) or `If-Match` (412 once changed)",
    "schema": {"type": "string"},
}
IF_NONE_MATCH = {
    "name": "If-None-Match",
    "in": "header",
    "required": False,
    "description": "`ETag`s already held (or `*`): 304 with no body while one still matches",
    "schema": {"type": "string", "maxLength": MAX_HEADER_LENGTH},
}


def _answers_json(operation: Mapping[str, Any]) -> str | None:
    """The 2xx status whose answer is JSON, if any."""
    for code, response in operation.get("responses", {}).items():
        if code.startswith("2") and "application/json" in (response.get("content") or {}):
            return str(code)
    return None


def declare_conditional(
    method: str, operation: dict[str, Any], dependant: Dependant | None
) -> None:
    """``ETag``, ``If-None-Match`` and 304 on a JSON ``GET``; ``If-Match`` (required where
    it is) and the new ``ETag`` on a write that takes it."""
    parameters: list[dict[str, Any]] = operation.setdefault("parameters", [])
    names = {str(p.get("name", "")).lower(): p for p in parameters if "name" in p}
    success = _answers_json(operation)
    responses: dict[str, Any] = operation.setdefault("responses", {})
    if method == "get" and success == "200":
        if "if-none-match" not in names:
            parameters.append(dict(IF_NONE_MATCH))
        not_modified = responses.setdefault(
            "304",
            {
                "description": "Not modified: the `ETag` in `If-None-Match` is still current "
                "(no body)"
            },
        )
        not_modified.setdefault("headers", {}).setdefault("ETag", ETAG_HEADER)
        responses["200"].setdefault("headers", {}).setdefault("ETag", ETAG_HEADER)
    precondition = if_match_of(dependant) if dependant is not None else None
    if precondition is not None:
        declared = names.get("if-match")
        if declared is not None:
            declared["required"] = precondition.required
            declared["schema"] = {"type": "string", "maxLength": MAX_HEADER_LENGTH}
        if success is not None:
            responses[success].setdefault("headers", {}).setdefault("ETag", ETAG_HEADER)
    if not parameters:
        operation.pop("parameters")
    operation["responses"] = dict(sorted(responses.items()))


def problem_response(status: int, response: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A response object for an error ``status``: its description kept, problem+json content."""
    declared = dict(response or {})
    content = dict(declared.get("content") or {})
    # A route's own problem schema is kept, and so is a page's HTML (the sign-in page answers
    # its errors as a page a person reads).
    if PROBLEM_JSON not in content and "text/html" not in content:
        content = {PROBLEM_JSON: {"schema": PROBLEM_REF}}
    description = declared.get("description")
    if not description or description == "Validation Error":  # FastAPI's words for its schema
        description = DESCRIPTIONS.get(status)
    if not description:
        description = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else ""
    return {**declared, "description": description, "content": content}


def operations(document: Mapping[str, Any]) -> Iterable[tuple[str, str, dict[str, Any]]]:
    """(path, method, operation) of every operation of ``document``."""
    for path, item in document.get("paths", {}).items():
        for method, operation in item.items():
            if isinstance(operation, dict) and "responses" in operation:
                yield path, method, operation


def declare_errors(operation: dict[str, Any], statuses: Mapping[int, str] | None = None) -> None:
    """Add ``statuses`` (status -> why) to an operation when it does not declare them itself,
    and give each of its errors problem+json content."""
    responses: dict[str, Any] = operation.setdefault("responses", {})
    for status, description in (statuses or {}).items():
        responses.setdefault(str(status), {"description": description})
    for code, response in list(responses.items()):
        if code[:1] in ("4", "5") and code.isdigit():
            responses[code] = problem_response(int(code), response)
    # Statuses in order, as a reader expects them.
    operation["responses"] = dict(sorted(responses.items()))


def add_problem_schemas(document: dict[str, Any]) -> None:
    """Put ``Problem`` in the components; drop FastAPI's validation schemas once unused."""
    schemas: dict[str, Any] = document.setdefault("components", {}).setdefault("schemas", {})
    schemas.update(SCHEMAS)
    if not any(
        media.get("schema", {}).get("$ref", "").endswith(f"/{FASTAPI_VALIDATION[0]}")
        for _path, _method, operation in operations(document)
        for response in operation["responses"].values()
        for media in (response.get("content") or {}).values()
    ):
        for name in FASTAPI_VALIDATION:
            schemas.pop(name, None)


def describe_errors(app: FastAPI, document: dict[str, Any]) -> dict[str, Any]:
    """``document`` (``app``'s own) with every route's errors declared as problem+json."""
    routes = {
        (route.path_format, method.lower()): route.dependant
        for route in api_routes(app)
        if getattr(route, "include_in_schema", True)
        for method in route.methods
    }
    structural: dict[tuple[str, str], set[tuple[str, int]]] = {}
    for path, method, operation in operations(document):
        dependant = routes.get((path, method))
        statuses = route_errors(dependant, operation) if dependant else {}
        declare_errors(operation, statuses)
        structural[(path, method)] = {
            (code, status) for status, why in statuses.items() for code in _codes(status, why)
        }
        declare_conditional(method, operation, dependant)
    for item in document.get("webhooks", {}).values():
        for operation in item.values():
            # What a subscriber's system answers is the webhook's own declaration, not
            # FastAPI's validation error (this service validates nothing there).
            answers = operation.get("responses", {})
            if _is_fastapi_validation(answers.get("422")):
                del answers["422"]
    add_problem_schemas(document)
    # Which problem types each error answers, and the catalogue of them (cap_shared.problem_types).
    problem_types.describe_problems(app, document, problem_response, structural)
    for _path, _method, operation in operations(document):
        optional_if_match = any(
            p.get("in") == "header" and p.get("name") == "If-Match" and not p.get("required")
            for p in operation.get("parameters", [])
        )
        # The call graph reaches check_if_match's 428, which only a required If-Match answers.
        if optional_if_match:
            operation["responses"].pop("428", None)
    return document


def _is_fastapi_validation(response: Mapping[str, Any] | None) -> bool:
    schemas = (
        media.get("schema", {}) for media in ((response or {}).get("content") or {}).values()
    )
    return any(s.get("$ref", "").endswith(f"/{FASTAPI_VALIDATION[0]}") for s in schemas)


def _codes(status: int, why: str) -> list[str]:
    """The problem codes behind a status :func:`route_errors` derived (``why`` it did)."""
    if status == 400:
        codes = ["invalid-cursor"] if INVALID_CURSOR in why else []
        return codes + (["bad-request"] if DESCRIPTIONS[400] in why else [])
    return list(problem_types.DEFAULT_CODES.get(status, ()))


def install(app: FastAPI) -> None:
    """Make ``app.openapi()`` declare every route's errors (built once, then cached by FastAPI)."""
    generate = app.openapi
    described: list[dict[str, Any]] = []

    def openapi() -> dict[str, Any]:
        document = generate()
        if not described or described[0] is not document:  # rebuilt when routes change
            described[:] = [describe_errors(app, document)]
        return document

    app.openapi = openapi  # type: ignore[method-assign]


def _untyped(schema: Mapping[str, Any], schemas: Mapping[str, Any], seen: frozenset[str]) -> bool:
    """Whether ``schema`` says nothing of a body's shape: empty, ``Any``, or an object with
    no properties (``dict[str, Any]``); through references and unions."""
    ref = schema.get("$ref")
    if isinstance(ref, str):
        name = ref.rsplit("/", 1)[-1]
        return name not in seen and _untyped(schemas.get(name, {}), schemas, seen | {name})
    if not set(schema) - {"title", "description", "default", "examples"}:
        return True
    for key in ("anyOf", "oneOf"):
        if any(_untyped(s, schemas, seen) for s in schema.get(key, ()) if s.get("type") != "null"):
            return True
    if schema.get("type") == "array":
        return _untyped(schema.get("items", {}), schemas, seen)
    if schema.get("type") == "object" and not schema.get("properties"):
        extra = schema.get("additionalProperties", True)
        return extra is True or extra == {}
    return False


def untyped_answers(document: Mapping[str, Any]) -> list[str]:
    """Successful JSON answers of ``document`` whose schema gives no shape
    (``METHOD path status media type``): a generated client would type them ``unknown``."""
    schemas = document.get("components", {}).get("schemas", {})
    found = []
    for path, method, operation in operations(document):
        for status, response in operation["responses"].items():
            if not status.startswith("2"):
                continue
            for media, content in (response.get("content") or {}).items():
                if "json" in media and _untyped(content.get("schema", {}), schemas, frozenset()):
                    found.append(f"{method.upper()} {path} {status} {media}")
    return found
