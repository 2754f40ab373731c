"""Which route dependencies FastAPI would run in its thread pool (a plain ``def``): each is a
thread hop per request (a hand-off to a worker thread and back, slower still under load), for
what is mostly an attribute read. A hot API wants none."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant, _is_async_gen_callable, _is_coroutine_callable

from cap_shared.security.deps import api_routes


def sync_dependencies(app: FastAPI) -> list[str]:
    """``"METHOD path: dependency"`` for each plain-``def`` dependency (or endpoint) of ``app``."""
    found: list[str] = []

    def name(call: Any) -> str:
        return str(getattr(call, "__qualname__", type(call).__qualname__))

    def walk(route: Any, dependant: Dependant) -> None:
        for sub in dependant.dependencies:
            call = sub.call
            if call is not None and not (
                _is_coroutine_callable(call) or _is_async_gen_callable(call)
            ):
                found.append(f"{sorted(route.methods)} {route.path}: {name(call)}")
            walk(route, sub)

    for route in api_routes(app):
        walk(route, route.dependant)
        if not _is_coroutine_callable(route.dependant.call):
            found.append(f"{sorted(route.methods)} {route.path}: {name(route.dependant.call)}")
    return found
