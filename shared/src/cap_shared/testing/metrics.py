"""Reading a process's metrics as Prometheus does: over HTTP, from an ops port.

``async with ops_port() as scrape:`` serves this process's ops app (``/metrics``) on a free port
of 127.0.0.1 for the block; ``await scrape.value(name, **labels)`` is one sample's value (0 when
the series does not exist yet: counters are process-wide, tests compare before and after).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample

from cap_shared.opsport import bare_ops_app, serving
from cap_shared.testing.net import free_port


def samples(text: str, name: str, **labels: str) -> list[Sample]:
    """The samples named ``name`` of an exposition whose labels include ``labels``."""
    return [
        s
        for family in text_string_to_metric_families(text)
        for s in family.samples
        if s.name == name and labels.items() <= s.labels.items()
    ]


@dataclass(frozen=True)
class Scrape:
    """The ``/metrics`` of an ops port."""

    url: str

    async def text(self) -> str:
        """The exposition, as Prometheus gets it (200, text)."""
        async with httpx.AsyncClient(timeout=10) as http:
            answer = await http.get(f"{self.url}/metrics")
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-type"].startswith("text/plain")
        return answer.text

    async def samples(self, name: str, **labels: str) -> list[Sample]:
        """The samples of ``name`` with ``labels`` (among others)."""
        return samples(await self.text(), name, **labels)

    async def value(self, name: str, **labels: str) -> float:
        """The sum of the samples of ``name`` with ``labels``; 0 when there is none."""
        return sum(s.value for s in await self.samples(name, **labels))


@asynccontextmanager
async def ops_port() -> AsyncIterator[Scrape]:
    """This process's ``/metrics`` on an ops port of its own while the block runs."""
    port = free_port()
    async with serving(bare_ops_app("test ops"), "127.0.0.1", port):
        yield Scrape(f"http://127.0.0.1:{port}")
