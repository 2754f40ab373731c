"""Rate-limit tests clear of a window's edge.

The ``limits`` library counts in windows aligned on the wall clock (a "2/minute" window starts at
each whole minute). A test that makes a few requests and expects the last one refused would see
it allowed if a window started between them: the fixed window's count starts again at zero, and
the sliding window's estimate of the previous window is floored below the limit. Tests with small
limits call :func:`clear_of_window_edge` first; it waits (at most ``margin_s``) only when the
current window has less than ``margin_s`` left.
"""

from __future__ import annotations

import asyncio

from cap_shared.clock import wall_timestamp


async def clear_of_window_edge(window_s: float = 60.0, margin_s: float = 5.0) -> None:
    """Return when at least ``margin_s`` are left before the current window ends."""
    left = window_s - wall_timestamp() % window_s
    if left < margin_s:
        await asyncio.sleep(left + 0.05)
