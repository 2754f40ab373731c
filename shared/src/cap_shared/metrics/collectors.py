"""Metrics read at scrape time: the database pools (``cap_db_pool_*``) and the circuit breakers
(``cap_breaker_state``). Nothing is counted on the hot path: a scrape reads the objects."""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Protocol

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import QueuePool

#: ``cap_breaker_state``'s value of each state of :class:`cap_shared.breaker.CircuitBreaker`.
BREAKER_STATE_VALUES = {"closed": 0, "half_open": 1, "open": 2}


class HasState(Protocol):
    """A circuit breaker, as the collector reads it."""

    @property
    def state(self) -> str:
        """ "closed", "half_open" or "open"."""
        ...


#: The breakers of one kind: (key, breaker) pairs, read at each scrape.
BreakerSource = Callable[[], Iterable[tuple[str, HasState]]]


class PoolCollector(Collector):
    """``cap_db_pool_connections{service,state}`` (in_use, idle, overflow) and
    ``cap_db_pool_size{service}`` (pool size + max overflow) of each service's engine, read from
    its pool at scrape time. Pools without a size (SQLite in memory: one static connection) are
    skipped. The latest engine watched for a service is the one reported."""

    def __init__(self) -> None:
        self._engines: dict[str, weakref.ref[AsyncEngine]] = {}

    def watch(self, service: str, engine: AsyncEngine) -> None:
        """Report ``engine``'s pool as ``service``'s (held weakly: a dropped engine vanishes)."""
        self._engines[service] = weakref.ref(engine)

    def describe(self) -> Iterator[GaugeMetricFamily]:
        """The two families, without samples."""
        yield from self._families()

    def collect(self) -> Iterator[GaugeMetricFamily]:
        """Each watched pool, now."""
        connections, size = self._families()
        for service, ref in sorted(self._engines.items()):
            engine = ref()
            pool: Any = engine.sync_engine.pool if engine is not None else None
            if not isinstance(pool, QueuePool):
                continue
            max_overflow = max(0, pool._max_overflow)
            connections.add_metric([service, "in_use"], pool.checkedout())
            connections.add_metric([service, "idle"], pool.checkedin())
            connections.add_metric([service, "overflow"], max(0, pool.overflow()))
            size.add_metric([service], pool.size() + max_overflow)
        yield connections
        yield size

    @staticmethod
    def _families() -> tuple[GaugeMetricFamily, GaugeMetricFamily]:
        return (
            GaugeMetricFamily(
                "cap_db_pool_connections",
                "Database connections of this process's pool, by state (in_use, idle, overflow)",
                labels=["service", "state"],
            ),
            GaugeMetricFamily(
                "cap_db_pool_size",
                "Connections this process's pool may open (pool size + max overflow)",
                labels=["service"],
            ),
        )


class BreakerCollector(Collector):
    """``cap_breaker_state{service,breaker}``: 0 closed, 1 half-open, 2 open, for every breaker of
    every watched source (``breaker`` = ``<kind>:<key>``, e.g. ``connector:sgs-tuv``)."""

    def __init__(self) -> None:
        self._sources: dict[tuple[str, str], BreakerSource] = {}

    def watch(self, service: str, kind: str, source: BreakerSource) -> None:
        """Report the breakers ``source`` gives as ``service``'s ``<kind>:<key>``."""
        self._sources[(service, kind)] = source

    def describe(self) -> Iterator[GaugeMetricFamily]:
        """The family, without samples."""
        yield self._family()

    def collect(self) -> Iterator[GaugeMetricFamily]:
        """Each breaker's state, now."""
        family = self._family()
        for (service, kind), source in sorted(self._sources.items()):
            for key, breaker in list(source()):
                value = BREAKER_STATE_VALUES.get(breaker.state, 0)
                family.add_metric([service, f"{kind}:{key}"], value)
        yield family

    @staticmethod
    def _family() -> GaugeMetricFamily:
        return GaugeMetricFamily(
            "cap_breaker_state",
            "Circuit breaker state: 0 closed, 1 half-open, 2 open",
            labels=["service", "breaker"],
        )
