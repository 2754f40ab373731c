"""The catalogue in an OpenAPI document: each operation's codes, the components' entries."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant

from cap_shared.problem_types.callgraph import DECLARED, CallGraph, call_graph
from cap_shared.problem_types.types import DEFAULT_CODES, EXTENSION, ProblemType, problem_classes
from cap_shared.problems import (
    PROBLEM_JSON,
    PROBLEM_TYPE_BASE,
)


# the document -------------------------------------------------------------------------------
def _walk(dependant: Dependant) -> Iterator[Dependant]:
    yield dependant
    for sub in dependant.dependencies:
        yield from _walk(sub)


def route_problems(graph: CallGraph, route: Any) -> set[tuple[str, int]]:
    """The (code, status) pairs a route may answer: its endpoint's and its dependencies'."""
    roots = [graph.key_of(route.endpoint)]
    roots += [graph.key_of(d.call) for d in _walk(route.dependant) if d.call is not None]
    return graph.problems(k for k in roots if k is not None)


def packages_of(app: FastAPI) -> tuple[str, ...]:
    """The packages whose code serves ``app``'s routes (and ``cap_shared``)."""
    from cap_shared.security import api_routes

    found = {"cap_shared"}
    for route in api_routes(app):
        endpoint = inspect.unwrap(getattr(route, "endpoint", None) or (lambda: None))
        found.add(getattr(endpoint, "__module__", "cap_shared").split(".")[0])
    return tuple(sorted(p for p in found if p.startswith("cap_")))


def catalogue(packages: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Code -> entry of every problem type the ``packages`` answer (first definition wins;
    ``statuses`` lists every status when one code is answered with several)."""
    names = tuple(packages)
    types = [ProblemType.of(c) for c in problem_classes(names)]
    for package in names:
        types += DECLARED.get(package, ())
    types += call_graph(names).direct.values()
    entries: dict[str, dict[str, Any]] = {}
    for problem in types:
        entry = entries.setdefault(problem.code, problem.entry())
        if problem.status != entry["status"]:
            entry["statuses"] = sorted({*entry.get("statuses", [entry["status"]]), problem.status})
    return dict(sorted(entries.items()))


def operations(document: Mapping[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """Every operation of an OpenAPI document, as (path, method, operation)."""
    for path, item in document.get("paths", {}).items():
        for method, operation in item.items():
            if isinstance(operation, dict) and "responses" in operation:
                yield path, method, operation


def annotate(
    operation: dict[str, Any],
    problems: Iterable[tuple[str, int]] = (),
    describe: Callable[[int, dict[str, Any] | None], dict[str, Any]] | None = None,
) -> None:
    """Name on each error response of ``operation`` the codes it answers: ``problems`` (code,
    status) and, for a status with none, :data:`DEFAULT_CODES`. A status of ``problems`` the
    operation does not declare is declared (``describe`` builds its response)."""
    responses: dict[str, Any] = operation.setdefault("responses", {})
    by_status: dict[int, set[str]] = {}
    for code, status in problems:
        by_status.setdefault(status, set()).add(code)
    for status in by_status:
        if str(status) not in responses and describe is not None:
            responses[str(status)] = describe(status, None)
    for key, response in responses.items():
        if not (key.isdigit() and key[0] in "45") or PROBLEM_JSON not in response.get(
            "content", {}
        ):
            continue
        codes = set(response.get(EXTENSION, ())) | by_status.get(int(key), set())
        if not codes:
            codes = set(DEFAULT_CODES.get(int(key), ()))
        if codes:
            response[EXTENSION] = sorted(codes)
    operation["responses"] = dict(sorted(responses.items()))


def publish(document: dict[str, Any], entries: Mapping[str, Mapping[str, Any]]) -> None:
    """Put the catalogue in ``document``'s components, each entry with the operations that
    name its code (codes named but not in ``entries`` are listed under ``x-problem-types``
    too, with what is known: a test holds that there are none)."""
    out: dict[str, dict[str, Any]] = {code: dict(entry) for code, entry in entries.items()}
    for entry in out.values():
        entry["operations"] = []
    for _path, _method, operation in operations(document):
        for key, response in operation.get("responses", {}).items():
            for code in response.get(EXTENSION, ()):
                entry = out.setdefault(
                    code, {"type": PROBLEM_TYPE_BASE + code, "code": code, "status": int(key)}
                )
                entry.setdefault("operations", [])
                ident = operation.get("operationId") or f"{_method} {_path}"
                if ident not in entry["operations"]:
                    entry["operations"].append(ident)
    for entry in out.values():
        entry["operations"].sort()
    document.setdefault("components", {})[EXTENSION] = dict(sorted(out.items()))


def describe_problems(
    app: FastAPI,
    document: dict[str, Any],
    describe: Any,
    known: Mapping[tuple[str, str], set[tuple[str, int]]] | None = None,
) -> None:
    """Name the problem codes of every operation of ``app``'s ``document`` and publish the
    catalogue of its packages (``describe``: status -> response object, for new statuses;
    ``known``: (path, method) -> (code, status) pairs known besides the call graph's)."""
    from cap_shared.security import api_routes

    packages = packages_of(app)
    graph = call_graph(packages)
    routes = {
        (route.path_format, method.lower()): route
        for route in api_routes(app)
        if getattr(route, "include_in_schema", True)
        for method in route.methods
    }
    for path, method, operation in operations(document):
        route = routes.get((path, method))
        found = route_problems(graph, route) if route else set()
        annotate(operation, found | (known or {}).get((path, method), set()), describe)
    publish(document, catalogue(packages))
