"""The API's rules, checked on its OpenAPI document: what a client generated from the contract
may rely on (docs/api/README.md).

* ``typed-errors``: every operation declares its errors, each as ``application/problem+json``
  with a schema (RFC 9457), except a page for a browser (the sign-in form), whose errors are the
  page again (``text/html``);
* ``typed-success``: every 2xx JSON body has a schema that says what it holds;
* ``list-shape``: every list (a GET answering an array, an object holding the array, or taking
  paging parameters) answers ``{"data": [...], "next_cursor": ...}`` and takes ``limit`` and
  ``cursor``;
* ``idempotent-writes``: every POST but the exempt ones (:data:`POST_EXEMPT`) declares the
  ``Idempotency-Key`` header;
* ``conditional-writes``: every PATCH and PUT declares ``If-Match``, required where concurrent
  editors are expected (:data:`IF_MATCH_REQUIRED`);
* ``etag``: every single-resource GET (its path ends with the resource's id) declares the
  ``ETag`` header of its 200 answer.

:func:`check` answers, per rule, how many operations it applies to, how many follow it, and
the ones that do not; ``tools/contract_counts.py`` prints the counts and tests/contract fails on
any violation.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

PROBLEM_JSON = "application/problem+json"
#: POSTs that take no Idempotency-Key, and why.
POST_EXEMPT: dict[str, str] = {
    r"^/v1/auth/": "OAuth 2.0 endpoints: codes and refresh tokens are single-use by protocol",
    r"^/v1/certifier/webhooks/": "signed webhooks, deduplicated by their webhook-id",
    r"^/v1/ops/": "operator routes, run by hand",
    r"^/v1/invitations/accept$": "single-use invitation token: accepting it again is refused "
    "(400 invalid-invitation), no second account is made",
}
#: PUT/PATCH paths that take no If-Match: operator routes.
CONDITIONAL_EXEMPT = (r"^/v1/ops/",)
#: Where If-Match is required (428 without it): plans, actions, audit plans, decision files.
IF_MATCH_REQUIRED = (
    r"^/v1/progress-plans/\{[^}/]+\}$",
    r"^/v1/actions/\{[^}/]+\}$",
    r"^/v1/audits/\{[^}/]+\}/plan$",
    r"^/v1/decisions/\{[^}/]+\}$",
)
#: Array properties that make an object a page of a list.
_LIST_KEYS = ("data", "items", "results", "entries", "records")
_PAGING = ("cursor", "limit", "offset", "page", "page_size", "after", "before")
RULES = (
    "typed-errors",
    "typed-success",
    "list-shape",
    "idempotent-writes",
    "conditional-writes",
    "etag",
)


@dataclass
class Rule:
    """How many operations a rule applies to, and the ones that break it (with why)."""

    name: str
    applies: int = 0
    violations: list[str] = field(default_factory=list)

    @property
    def follows(self) -> int:
        """How many operations follow the rule."""
        return self.applies - len(self.violations)

    def check(self, where: str, problem: str | None) -> None:
        """Count one operation ``where`` the rule applies, and ``problem`` if it breaks it."""
        self.applies += 1
        if problem:
            self.violations.append(f"{where}: {problem}")


@dataclass
class Report:
    """Every rule's outcome, and what the lists look like (shape -> how many)."""

    rules: dict[str, Rule]
    list_shapes: Counter[str]
    error_responses: int = 0
    typed_error_responses: int = 0

    @property
    def violations(self) -> dict[str, list[str]]:
        """The rules that are broken, with where and why."""
        return {name: rule.violations for name, rule in self.rules.items() if rule.violations}

    def counts(self) -> str:
        """The counts, one rule a line (what the release note quotes)."""
        r = self.rules
        lines = [
            f"typed errors       {r['typed-errors'].follows}/{r['typed-errors'].applies} "
            f"operations; {self.typed_error_responses}/{self.error_responses} error responses "
            "problem+json",
            f"typed success      {r['typed-success'].follows}/{r['typed-success'].applies} "
            "2xx JSON bodies typed",
            f"list shape         {r['list-shape'].follows}/{r['list-shape'].applies} lists in "
            f"the one shape; {len(self.list_shapes)} shape(s): "
            + ", ".join(f"{shape} x{n}" for shape, n in sorted(self.list_shapes.items())),
            f"idempotent writes  {r['idempotent-writes'].follows}/"
            f"{r['idempotent-writes'].applies} POSTs declare Idempotency-Key",
            f"conditional writes {r['conditional-writes'].follows}/"
            f"{r['conditional-writes'].applies} PATCH/PUT declare If-Match (required where due)",
            f"etag               {r['etag'].follows}/{r['etag'].applies} single-resource GETs "
            "declare ETag",
        ]
        return "\n".join(lines)

    def failures(self) -> str:
        """The violations, grouped by rule (a test's failure message)."""
        return "\n".join(
            f"{name} ({len(found)}):\n" + "\n".join(f"  {v}" for v in found)
            for name, found in self.violations.items()
        )


class _Spec:
    def __init__(self, document: Mapping[str, Any]) -> None:
        self.document = document

    def resolve(self, node: Any) -> Any:
        seen = set()
        while isinstance(node, Mapping) and isinstance(node.get("$ref"), str):
            ref = node["$ref"]
            if ref in seen or not ref.startswith("#/"):
                return {}
            seen.add(ref)
            found: Any = self.document
            for part in ref[2:].split("/"):
                found = found.get(part, {}) if isinstance(found, Mapping) else {}
            node = found
        return node

    def alternatives(self, schema: Any) -> list[Mapping[str, Any]]:
        schema = self.resolve(schema)
        if not isinstance(schema, Mapping):
            return []
        for key in ("anyOf", "oneOf"):
            if key in schema:
                return [a for sub in schema[key] for a in self.alternatives(sub)]
        return [schema]

    def typed(self, schema: Any) -> bool:
        """Whether a schema says what a body holds (not ``{}``, not a bare object)."""
        alternatives = [a for a in self.alternatives(schema) if a.get("type") != "null"]
        if not alternatives:
            return False
        for alt in alternatives:
            if any(k in alt for k in ("properties", "items", "enum", "const", "allOf")):
                continue
            kind = alt.get("type")
            if kind is None:
                return False
            if kind == "object" and not isinstance(alt.get("additionalProperties"), Mapping):
                return False
        return True

    def properties(self, schema: Any) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for alt in self.alternatives(schema):
            for part in [self.resolve(p) for p in alt.get("allOf", [])] + [alt]:
                if isinstance(part, Mapping):
                    found.update(part.get("properties", {}))
        return found

    def is_array(self, schema: Any) -> bool:
        return any(a.get("type") == "array" for a in self.alternatives(schema))


def _operations(document: Mapping[str, Any]) -> Iterator[tuple[str, str, Mapping[str, Any]]]:
    for path, item in sorted(document.get("paths", {}).items()):
        for method in ("get", "put", "post", "delete", "patch"):
            if isinstance(item.get(method), Mapping):
                yield path, method, item[method]


def _json_schema(response: Mapping[str, Any]) -> tuple[bool, Any]:
    """(whether the response has a JSON body, its schema)."""
    for media, content in (response.get("content") or {}).items():
        if media == "application/json" or (media.startswith("application/") and "+json" in media):
            return True, content.get("schema", {})
    return False, None


def _header(spec: _Spec, operation: Mapping[str, Any], name: str) -> Mapping[str, Any] | None:
    for parameter in operation.get("parameters", []):
        parameter = spec.resolve(parameter)
        if parameter.get("in") == "header" and parameter.get("name", "").lower() == name.lower():
            found: Mapping[str, Any] = parameter
            return found
    return None


def _shape(spec: _Spec, schema: Any) -> str:
    if spec.is_array(schema):
        return "[...]"
    names = sorted(spec.properties(schema))
    return "{" + ",".join(names) + "}"


def _list_problem(spec: _Spec, schema: Any, query: set[str]) -> str | None:
    properties = spec.properties(schema)
    missing = []
    if spec.is_array(schema) or "data" not in properties or not spec.is_array(properties["data"]):
        missing.append("a `data` array")
    if "next_cursor" not in properties:
        missing.append("`next_cursor`")
    missing += [f"`?{name}=`" for name in ("limit", "cursor") if name not in query]
    return f"not the one list shape: lacks {', '.join(missing)}" if missing else None


def check(document: Mapping[str, Any]) -> Report:
    """Every rule over every operation of ``document`` (an OpenAPI 3.1 document)."""
    spec = _Spec(document)
    rules = {name: Rule(name) for name in RULES}
    report = Report(rules, Counter())
    for path, method, operation in _operations(document):
        where = f"{method.upper()} {path}"
        responses = {k: spec.resolve(v) for k, v in operation.get("responses", {}).items()}
        errors = {k: v for k, v in responses.items() if k[:1] in ("4", "5")}
        untyped = []
        # A page for a browser (the sign-in form) answers its errors as the page again.
        page = any(
            "text/html" in (r.get("content") or {}) for k, r in responses.items() if k[:1] in "23"
        )
        for status, response in sorted(errors.items()):
            report.error_responses += 1
            content = (response.get("content") or {}).get(PROBLEM_JSON)
            if (content and "schema" in content) or (
                page and "text/html" in (response.get("content") or {})
            ):
                report.typed_error_responses += 1
            else:
                untyped.append(status)
        rules["typed-errors"].check(
            where,
            "declares no error"
            if not errors
            else (f"errors not problem+json: {', '.join(untyped)}" if untyped else None),
        )
        for status, response in sorted(responses.items()):
            has_json, schema = _json_schema(response)
            if status.startswith("2") and has_json:
                typed = spec.typed(schema)
                rules["typed-success"].check(
                    f"{where} {status}", None if typed else "untyped JSON body"
                )
        query = {
            p.get("name", "")
            for p in map(spec.resolve, operation.get("parameters", []))
            if p.get("in") == "query"
        }
        ok = responses.get("200", {})
        has_json, schema = _json_schema(ok)
        if method == "get" and has_json and not path.startswith("/v1/ops/"):
            properties = spec.properties(schema)
            is_list = (
                spec.is_array(schema)
                or any(k in properties and spec.is_array(properties[k]) for k in _LIST_KEYS)
                or bool(query & set(_PAGING))
            )
            if is_list:
                report.list_shapes[_shape(spec, schema)] += 1
                rules["list-shape"].check(where, _list_problem(spec, schema, query))
            elif path.endswith("}"):
                headers = {h.lower() for h in (ok.get("headers") or {})}
                rules["etag"].check(where, None if "etag" in headers else "no ETag header")
        if method == "post" and not any(re.search(p, path) for p in POST_EXEMPT):
            declared = _header(spec, operation, "Idempotency-Key") is not None
            rules["idempotent-writes"].check(
                where, None if declared else "no Idempotency-Key header"
            )
        if method in ("put", "patch") and not any(re.search(p, path) for p in CONDITIONAL_EXEMPT):
            if_match = _header(spec, operation, "If-Match")
            must = any(re.search(p, path) for p in IF_MATCH_REQUIRED)
            problem = None
            if if_match is None:
                problem = "no If-Match header"
            elif must and not if_match.get("required"):
                problem = "If-Match not required (428 expected without it)"
            rules["conditional-writes"].check(where, problem)
    return report
