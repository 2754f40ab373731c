"""Garbage-collector tuning for long-running processes.

CPython runs a young-generation collection every 700 net allocations and, every so often, a
full one that walks every tracked object — including the tens of thousands created at start-up
(modules, apps, models) that live as long as the process. Under load that costs CPU on every
request and shows as latency spikes. Two standard remedies, applied once start-up is done:
``gc.freeze()`` moves what exists to a permanent generation no collection walks again, and a
larger first threshold makes young collections rarer (reference counting still frees most
objects at once; the collector only finds cycles).
"""

from __future__ import annotations

import gc
from collections.abc import Sequence


def tune_gc(thresholds: Sequence[int]) -> None:
    """Freeze what start-up created and set the collection thresholds."""
    gc.collect()
    gc.freeze()
    first, second, third = thresholds
    gc.set_threshold(first, second, third)
