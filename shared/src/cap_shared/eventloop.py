"""The event loop a long-running process of the platform runs on.

uvloop where it is installed (``uvicorn[standard]`` brings it, except on Windows), the standard
library's loop otherwise: the choice uvicorn makes for the API processes (its ``"auto"`` loop), so
a worker, a relay and the standalone platform run on the same loop as an API process. Until
2026-12-08 they ran on the standard loop, whose selector and Python-level scheduling cost every
wake-up of these processes CPU that uvloop does in C (docs/benchmarks.md, "Issue 22, seventh
pass").
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

from uvicorn.loops.auto import auto_loop_factory

T = TypeVar("T")


def run(main: Coroutine[Any, Any, T]) -> T:
    """Run ``main`` to completion on a new loop of the platform's kind (as :func:`asyncio.run`)."""
    with asyncio.Runner(loop_factory=auto_loop_factory()) as runner:
        return runner.run(main)
