"""One API description for the front-ends: the gateway's own operations merged with every
service's, as clients reach them through the gateway.

* service paths keep their ``/v1/...`` path; a service's operator paths ``/ops/...`` become
  ``/v1/ops/<service>/...`` and their operation ids get the service name in front;
* component schemas are merged; two different schemas with one name are renamed
  ``<Service><Name>`` (title included, and every ``$ref`` to them follows), equal ones are kept
  once;
* the services' outbound calls (notifications' webhook deliveries, the audit service's calls
  to certification bodies) are merged into the OpenAPI 3.1 ``webhooks`` section;
* a service that cannot be reached is listed in ``x-cap-unavailable`` instead of failing the
  whole document; the result is cached briefly;
* what the edge answers is declared on every operation (problem+json, like every error): 429
  (rate limits), 413 where there is a body, and on forwarded operations 401 (a bearer token
  the edge cannot verify, public routes included), 502, 503 and 504 (the service failed,
  is unreachable, or too slow);
* ``Idempotency-Key`` (one shared parameter) with its 400, 409 and 422 and the
  ``Idempotent-Replayed`` header on every POST the edge's layer serves
  (:func:`declare_idempotency`), and the common response headers (``X-Request-ID``,
  ``Location``, ``Retry-After``) as ``components.headers`` references (:func:`declare_headers`).

Every app declares its routes' errors (:mod:`cap_shared.openapi`); the gateway's own operations declare every error they can answer, as problem+json
(:func:`honest_errors`): the edge's (413, 429, 404 on a path no route holds), the access
check's (401, 403), validation's (422, not FastAPI's ``HTTPValidationError``) and a form
parser's (400).
"""

from __future__ import annotations

import ast
import asyncio
import copy
import time
from typing import Any

import httpx
from fastapi import APIRouter, FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse

from cap_gateway.edge import ANONYMOUS_IDEMPOTENT, IDEMPOTENCY_EXEMPT, UNLIMITED
from cap_gateway.upstreams import Upstreams
from cap_shared import openapi as shared_openapi
from cap_shared import problem_types
from cap_shared.correlation import REQUEST_ID_HEADER
from cap_shared.idempotency import KEY_HEADER, MAX_KEY_LENGTH, REPLAYED_HEADER
from cap_shared.problems import PROBLEM_JSON
from cap_shared.security import Public, Role, api_routes, route_policy

#: The version of the public contract (``info.version`` of ``docs/api/openapi.json``), semantic:
#: the major changes with every breaking change (docs/api/README.md), checked by
#: tests/contract against the last released contract under docs/api/released/.
API_VERSION = "1.0.0"

REF_PREFIX = "#/components/schemas/"
CACHE_SECONDS = 30.0


#: What the edge may answer on any operation, on one with a body, and on a forwarded one.
EDGE_ERRORS = {429: shared_openapi.DESCRIPTIONS[429]}
BODY_ERRORS = {413: shared_openapi.DESCRIPTIONS[413]}
PROXY_ERRORS = {
    401: "No valid access token (a bearer token the gateway cannot verify is refused)",
    **{status: shared_openapi.DESCRIPTIONS[status] for status in (502, 503, 504)},
}
#: The problem codes the edge answers with those statuses (on top of the services' own).
EDGE_PROBLEMS = {(429, "too-many-requests"), (413, "payload-too-large")}
PROXY_PROBLEMS = {
    (401, "unauthorized"),
    (502, "bad-gateway"),
    (503, "upstream-unavailable"),
    (504, "upstream-timeout"),
}


def _oauth_type(error: str, status: int, meaning: str) -> problem_types.ProblemType:
    return problem_types.ProblemType(
        error.replace("_", "-"),
        status,
        "Token request refused",
        "Demande de jeton refusée",
        meaning,
    )


#: The token endpoint's errors (RFC 6749 §5.2), answered with the OAuth ``error`` member too.
OAUTH_TYPES = (
    _oauth_type("invalid_request", 400, "A parameter the grant needs is missing (RFC 6749 §5.2)."),
    _oauth_type("invalid_client", 401, "Unknown client or wrong secret (RFC 6749 §5.2)."),
    _oauth_type(
        "invalid_grant",
        400,
        "The credentials, code or refresh token are wrong, expired or revoked (RFC 6749 §5.2).",
    ),
    _oauth_type("invalid_scope", 400, "A requested scope is not granted (RFC 6749 §5.2)."),
    _oauth_type("unsupported_grant_type", 400, "This grant type is not taken (RFC 6749 §5.2)."),
)
problem_types.DECLARED["cap_gateway"] = OAUTH_TYPES


def _oauth_error(call: ast.Call) -> tuple[str, int] | None:
    """``OAuthError("invalid_grant", ..., status=401)``: the problem the token route answers."""
    if not call.args or not isinstance(call.args[0], ast.Constant):
        return None
    status = next((k.value for k in call.keywords if k.arg == "status"), None)
    code = str(call.args[0].value).replace("_", "-")
    if isinstance(status, ast.Constant) and isinstance(status.value, int):
        return code, status.value
    return code, 400


problem_types.FACTORIES["cap_gateway.auth.service.OAuthError"] = _oauth_error

#: RFC 9457 problem details as every error of the platform carries them (one schema for all).
PROBLEM_SCHEMA: dict[str, Any] = shared_openapi.SCHEMAS[shared_openapi.PROBLEM]
_PROBLEM = {PROBLEM_JSON: {"schema": {"$ref": REF_PREFIX + "Problem"}}}
_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")
_METHODS = ("get", "put", "post", "delete", "patch")


def _errors_of(operation: dict[str, Any], path: str, policy: object) -> dict[str, str]:
    """The error statuses an operation of the gateway can answer besides its own, described."""
    errors = {} if path in UNLIMITED else {"429": "Too many requests (see Retry-After)"}
    if isinstance(policy, frozenset):
        errors["401"] = "No valid token"
        if policy != frozenset(Role):  # SignedIn admits every role
            errors["403"] = "Role not allowed"
    if "{" in path:
        errors["404"] = "Unknown, or not visible to the caller"
    parameters = operation.get("parameters", [])
    body = operation.get("requestBody")
    if parameters or body:
        errors["422"] = "Invalid field (named in errors[].field)"
    if any(p.get("name") == "cursor" for p in parameters):
        errors["400"] = "Invalid cursor (`invalid-cursor`)"
    if body:
        errors["413"] = "Request body too large"
        if any(kind in body.get("content", {}) for kind in _FORMS):
            errors["400"] = "Malformed form body"
    return errors


def honest_errors(app: FastAPI, document: dict[str, Any]) -> dict[str, Any]:
    """``document`` (the gateway's own) with every error it can answer declared as problem+json."""
    policies = {
        (method.lower(), route.path): route_policy(route)
        for route in api_routes(app)
        for method in route.methods
    }
    for path, item in document.get("paths", {}).items():
        for method in _METHODS:
            operation = item.get(method)
            if not isinstance(operation, dict):
                continue
            responses: dict[str, Any] = operation.setdefault("responses", {})
            errors = _errors_of(operation, path, policies.get((method, path)))
            for status, description in sorted(errors.items()):
                responses.setdefault(status, {"description": description})
            for status, response in responses.items():
                # The sign-in page answers its errors as a page (text/html), by design.
                if status[:1] in ("4", "5") and "text/html" not in response.get("content", {}):
                    response["content"] = copy.deepcopy(_PROBLEM)
    for _path, _method, operation in shared_openapi.operations(document):
        problem_types.annotate(operation)  # the statuses added here: their usual codes
    components = document.setdefault("components", {})
    problem_types.publish(document, components.get(problem_types.EXTENSION, {}))
    schemas: dict[str, Any] = components.setdefault("schemas", {})
    schemas["Problem"] = PROBLEM_SCHEMA
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)  # FastAPI's 422 shape, which no answer of ours has
    return document


def declare_errors(app: FastAPI) -> None:
    """Make ``app.openapi()`` the honest document (:func:`honest_errors`), built once."""
    built: dict[str, Any] | None = None
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        nonlocal built
        if built is None:
            built = honest_errors(app, copy.deepcopy(generate()))
        return built

    app.openapi = openapi  # type: ignore[method-assign]


def _rewrite_refs(node: Any, renames: dict[str, str]) -> Any:
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and value.startswith(REF_PREFIX):
                name = value[len(REF_PREFIX) :]
                out[key] = REF_PREFIX + renames.get(name, name)
            else:
                out[key] = _rewrite_refs(value, renames)
        return out
    if isinstance(node, list):
        return [_rewrite_refs(item, renames) for item in node]
    return node


def merge(gateway: dict[str, Any], services: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The gateway document with every service's operations and schemas merged in."""
    merged = copy.deepcopy(gateway)
    # The public API only: not the probes, nor the root /ops routes every app has (the
    # gateway's are reached at /v1/ops/gateway).
    paths: dict[str, Any] = {
        p: item
        for p, item in merged.get("paths", {}).items()
        if p.startswith(("/v1/", "/.well-known/"))
    }
    merged["paths"] = paths
    components: dict[str, Any] = merged.setdefault("components", {})
    schemas: dict[str, Any] = components.setdefault("schemas", {})
    security: dict[str, Any] = components.setdefault("securitySchemes", {})
    webhooks: dict[str, Any] = merged.setdefault("webhooks", {})
    tags = {t["name"]: t for t in merged.get("tags", [])}
    forwarded: set[str] = set()
    for service, document in sorted(services.items()):
        theirs = document.get("components", {})
        renames: dict[str, str] = {}
        for name, schema in theirs.get("schemas", {}).items():
            if name in schemas and schemas[name] != schema:
                renames[name] = f"{service.capitalize()}{name}"
        for name, schema in theirs.get("schemas", {}).items():
            renamed = _rewrite_refs(schema, renames)
            if name in renames and renamed.get("title") == name:
                # Generated clients name their models by title: one title per schema.
                renamed["title"] = renames[name]
            schemas[renames.get(name, name)] = renamed
        security.update(theirs.get("securitySchemes", {}))
        for path, item in document.get("paths", {}).items():
            if path.startswith("/ops/"):
                target = f"/v1/ops/{service}/{path.removeprefix('/ops/')}"
                item = copy.deepcopy(item)
                for operation in item.values():
                    if isinstance(operation, dict) and "operationId" in operation:
                        operation["operationId"] = f"{service}-{operation['operationId']}"
            elif path.startswith("/v1/"):
                target = path
            else:  # health and probes are not part of the public API
                continue
            paths[target] = _rewrite_refs(item, renames)
            forwarded.add(target)
        for name, item in document.get("webhooks", {}).items():
            webhooks[name] = _rewrite_refs(item, renames)
        for tag in document.get("tags", []):
            tags.setdefault(tag["name"], tag)
    if tags:
        merged["tags"] = list(tags.values())
    for path, _method, operation in shared_openapi.operations(merged):
        statuses = {**EDGE_ERRORS, **(BODY_ERRORS if "requestBody" in operation else {})}
        statuses |= PROXY_ERRORS if path in forwarded else {}
        shared_openapi.declare_errors(operation, statuses)
        edge = EDGE_PROBLEMS | (PROXY_PROBLEMS if path in forwarded else set())
        problem_types.annotate(operation, {(c, s) for s, c in edge if s in statuses})
    declare_idempotency(merged)
    declare_headers(merged)
    shared_openapi.add_problem_schemas(merged)
    problem_types.publish(merged, merge_catalogues(gateway, services))
    if not webhooks:
        del merged["webhooks"]
    # Relative: the document is served by the platform it describes, whatever its address.
    merged["servers"] = [{"url": "/", "description": "The platform's public base URL"}]
    return merged


def merge_catalogues(
    gateway: dict[str, Any], services: dict[str, dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    """Every app's problem types in one catalogue (the gateway's first, then the services' in
    name order; a code answered with several statuses lists them in ``statuses``)."""
    out: dict[str, dict[str, Any]] = {}
    documents = [gateway, *(services[name] for name in sorted(services))]
    for document in documents:
        for code, entry in document.get("components", {}).get(problem_types.EXTENSION, {}).items():
            kept = out.setdefault(code, {k: v for k, v in entry.items() if k != "operations"})
            statuses = {kept["status"], entry["status"], *kept.get("statuses", [])}
            statuses |= set(entry.get("statuses", []))
            if len(statuses) > 1:
                kept["statuses"] = sorted(statuses)
    return dict(sorted(out.items()))


HEADER_PREFIX = "#/components/headers/"
#: Response headers the platform answers, declared once and referenced where they are answered.
HEADERS: dict[str, dict[str, Any]] = {
    "X-Request-ID": {
        "description": "The request's id (the client's own when it sent a valid one); quote it "
        "to support. Also `request_id` in problem details.",
        "schema": {"type": "string"},
    },
    "Location": {
        "description": "Where the created resource is",
        "schema": {"type": "string", "format": "uri-reference"},
    },
    "Retry-After": {
        "description": "Seconds to wait before trying again",
        "schema": {"type": "integer", "minimum": 0},
    },
    REPLAYED_HEADER: {
        "description": "`true` when this is the stored answer of an earlier request with the "
        "same `Idempotency-Key` (the request was not run again)",
        "schema": {"type": "string", "enum": ["true"]},
    },
}
#: The ``Idempotency-Key`` header parameter, the same on every operation that takes it (inlined
#: there: tools that read parameters by name need not resolve references).
IDEMPOTENCY_PARAMETER: dict[str, Any] = {
    "name": KEY_HEADER,
    "in": "header",
    "required": False,
    "description": "A key of the client's choice (a UUID), the same on every retry of this "
    "request: a retry gets the first answer again instead of running twice. Kept 24 h per "
    "caller; another request with the same key is refused (422).",
    "schema": {
        "type": "string",
        "minLength": 1,
        "maxLength": MAX_KEY_LENGTH,
        "pattern": "^[\\x20-\\x7E]+$",
    },
}
#: The problem types of the Idempotency-Key layer (status, code).
IDEMPOTENCY_PROBLEMS = {
    (400, "invalid-idempotency-key"),
    (409, "idempotency-key-in-flight"),
    (422, "idempotency-key-reused"),
}
#: What the gateway's Idempotency-Key layer adds to an operation (status -> why).
IDEMPOTENCY_ERRORS = {
    400: "`invalid-idempotency-key`: the Idempotency-Key is not 1 to 255 printable ASCII "
    "characters",
    409: "`idempotency-key-in-flight`: the first request with this Idempotency-Key is still "
    "running (see Retry-After)",
    422: "`idempotency-key-reused`: this Idempotency-Key was used for another request",
}


def idempotent_operation(path: str, method: str, operation: dict[str, Any]) -> bool:
    """Whether the gateway's Idempotency-Key layer serves an operation: every POST that needs a
    signed-in caller, except :data:`IDEMPOTENCY_EXEMPT`, and the public forms
    (:data:`ANONYMOUS_IDEMPOTENT`)."""
    if method == "post" and ANONYMOUS_IDEMPOTENT.match(path):
        return True
    return (
        method == "post"
        and bool(operation.get("security"))
        and not path.startswith(IDEMPOTENCY_EXEMPT)
    )


def declare_idempotency(document: dict[str, Any]) -> None:
    """The ``Idempotency-Key`` parameter, its errors and ``Idempotent-Replayed`` on every
    operation :func:`idempotent_operation` admits (a service's own declaration of the header
    is replaced by the shared one: both layers take the same keys)."""
    for path, method, operation in shared_openapi.operations(document):
        parameters = [
            p
            for p in operation.get("parameters", [])
            if not (p.get("in") == "header" and p.get("name", "").lower() == "idempotency-key")
        ]
        at_edge = idempotent_operation(path, method, operation)
        if not at_edge and len(parameters) == len(operation.get("parameters", [])):
            continue
        # Served at the edge, or by a service's own layer only (a PUT): no 409 there, the
        # service waits for the first request instead.
        operation["parameters"] = [*parameters, copy.deepcopy(IDEMPOTENCY_PARAMETER)]
        responses: dict[str, Any] = operation.setdefault("responses", {})
        errors = (
            IDEMPOTENCY_ERRORS
            if at_edge
            else {400: IDEMPOTENCY_ERRORS[400], 422: IDEMPOTENCY_ERRORS[422]}
        )
        for status, description in errors.items():
            response = responses.setdefault(str(status), {"description": description})
            if description not in response.get("description", ""):
                response["description"] = f"{response['description']}; or {description}"
        shared_openapi.declare_errors(operation)
        problem_types.annotate(
            operation,
            {(code, status) for status, code in IDEMPOTENCY_PROBLEMS if at_edge or status != 409},
        )
        for code, answer in responses.items():
            if code[:1] in ("2", "4") and code != "429":
                _add_header(answer, REPLAYED_HEADER)
        if at_edge:
            _add_header(responses["409"], "Retry-After")


def declare_headers(document: dict[str, Any]) -> None:
    """``X-Request-ID`` on every answer, ``Location`` on every 201, ``Retry-After`` on every
    429 and 503, as references to ``components.headers``."""
    document.setdefault("components", {}).setdefault("headers", {}).update(HEADERS)
    for _path, _method, operation in shared_openapi.operations(document):
        for status, response in operation.get("responses", {}).items():
            if "$ref" in response:
                continue
            _add_header(response, REQUEST_ID_HEADER)
            if status == "201":
                _add_header(response, "Location")
            if status in ("429", "503"):
                _add_header(response, "Retry-After")


def _add_header(response: dict[str, Any], name: str) -> None:
    response.setdefault("headers", {}).setdefault(name, {"$ref": HEADER_PREFIX + name})


def duplicate_operation_ids(document: dict[str, Any]) -> list[str]:
    """Operation ids used more than once (a merged document must have none)."""
    seen: dict[str, int] = {}
    for item in document.get("paths", {}).values():
        for operation in item.values():
            if isinstance(operation, dict) and "operationId" in operation:
                seen[operation["operationId"]] = seen.get(operation["operationId"], 0) + 1
    return sorted(k for k, n in seen.items() if n > 1)


class MergedOpenApi:
    """Builds and caches the merged document."""

    def __init__(self, app: FastAPI, upstreams: Upstreams, *, timeout: float = 5.0) -> None:
        self._app = app
        self._upstreams = upstreams
        self._timeout = timeout
        self._cached: tuple[float, dict[str, Any]] | None = None
        self._lock = asyncio.Lock()

    async def _fetch(self, service: str, client: httpx.AsyncClient) -> dict[str, Any] | None:
        # An in-process service (standalone) has no network to hang on: its document is only
        # slow to build when the process is busy, and a timeout would publish half a contract.
        timeout = None if service in self._upstreams.asgi else self._timeout
        try:
            async with asyncio.timeout(timeout):
                response = await client.get("/openapi.json")
            if response.status_code != 200:
                return None
            document: dict[str, Any] = response.json()
            return document
        except (httpx.HTTPError, TimeoutError, ValueError):
            return None

    async def document(self) -> dict[str, Any]:
        """The merged document (rebuilt at most every few seconds)."""
        async with self._lock:
            if self._cached and time.monotonic() - self._cached[0] < CACHE_SECONDS:
                return self._cached[1]
            names = sorted(self._upstreams.clients)
            fetched = await asyncio.gather(
                *(self._fetch(n, self._upstreams.clients[n]) for n in names)
            )
            services = {n: d for n, d in zip(names, fetched, strict=True) if d is not None}
            merged = merge(self._app.openapi(), services)
            missing = [n for n, d in zip(names, fetched, strict=True) if d is None]
            if missing:
                merged["x-cap-unavailable"] = missing
            else:  # cache only complete documents
                self._cached = (time.monotonic(), merged)
            return merged


def docs_router() -> APIRouter:
    """``/v1/openapi.json`` (merged) and ``/docs`` (Swagger UI on it)."""
    router = APIRouter(include_in_schema=False, dependencies=[Public])

    @router.get("/v1/openapi.json")
    async def merged_openapi(request: Request) -> JSONResponse:
        """Every operation of the platform as clients call it, in one OpenAPI 3.1 document."""
        builder: MergedOpenApi = request.app.state.openapi
        return JSONResponse(await builder.document())

    @router.get("/docs")
    async def swagger_ui() -> HTMLResponse:
        """Interactive documentation of the whole API."""
        return get_swagger_ui_html(
            openapi_url="/v1/openapi.json",
            title="CAP platform API",
            init_oauth={"clientId": "cap-web"},
        )

    return router
