"""Rate limits at the edge (``limits``: window counters, in memory or in Redis).

Counters are namespaced per purpose ("api", "login"...) so two kinds of request never share a
counter; the general API limit is keyed on the verified principal, or on the client address for
anonymous callers, the address being read from ``X-Forwarded-For`` only when the direct peer is a
trusted proxy.
"""

from __future__ import annotations

import ipaddress
import math
from collections.abc import Sequence
from dataclasses import dataclass

from limits import RateLimitItem, parse
from limits.aio.strategies import FixedWindowRateLimiter, SlidingWindowCounterRateLimiter
from limits.storage import storage_from_string
from starlette.requests import HTTPConnection

from cap_shared import metrics
from cap_shared.clock import wall_timestamp
from cap_shared.problems import ProblemError

#: The details the gateway's limits are checked with, in French.
DETAILS_FR = {
    "too many sign-in attempts": "trop de tentatives de connexion",
    "too many authentication attempts": "trop de tentatives d'authentification",
    "too many attempts from this address": "trop de tentatives depuis cette adresse",
    "too many requests for this account": "trop de requêtes pour ce compte",
    "too many requests from this address": "trop de requêtes depuis cette adresse",
    "too many reports; try later": "trop de signalements ; réessayez plus tard",
}


class TooManyRequests(ProblemError):
    """A rate limit is exhausted; ``Retry-After`` says when to try again."""

    status, code, title = 429, "too-many-requests", "Too many requests"
    title_fr = "Trop de requêtes"

    def __init__(self, detail: str, *, retry_after: int, detail_fr: str | None = None) -> None:
        super().__init__(
            detail,
            detail_fr=detail_fr,
            headers={"Retry-After": str(retry_after)},
            extensions={"retry_after": retry_after},
        )


@dataclass(frozen=True)
class Decision:
    """Whether a hit was allowed, and when its window frees a slot."""

    allowed: bool
    retry_after: int


class LocalWindows:
    """Fixed-window counters in this process's memory, as ``limits``' memory storage keeps them
    (a window opens at its first hit and lasts the limit's period; every hit counts, refused ones
    too), without what that storage does on every hit: a key string formatted, an
    ``asyncio.Lock`` taken, and an expiry task created and run. Expired windows are swept at most
    once per :data:`SWEEP_S`, so memory is bounded by the keys of one period."""

    SWEEP_S = 10.0

    def __init__(self) -> None:
        #: (limit name, key...) -> [hits, when the window ends]
        self._windows: dict[tuple[str, ...], list[float]] = {}
        self._sweep_at = 0.0

    def hit(self, item: RateLimitItem, key: tuple[str, ...]) -> tuple[bool, float]:
        """Count one hit: whether it is within the limit, and when its window ends."""
        now = wall_timestamp()
        window = self._windows.get(key)
        if window is None or window[1] <= now:
            if now >= self._sweep_at:
                self._sweep(now)
            window = self._windows[key] = [0, now + item.get_expiry()]
        window[0] += 1
        return window[0] <= item.amount, window[1]

    def _sweep(self, now: float) -> None:
        for key in [k for k, (_, ends) in self._windows.items() if ends <= now]:
            del self._windows[key]
        self._sweep_at = now + self.SWEEP_S

    def clear(self) -> None:
        """Forget every window."""
        self._windows.clear()


class RateLimiter:
    """Named limits over one storage.

    ``precise`` limits (sign-in) use a sliding-window counter, which allows no burst at window
    edges; the general request limits, counted on every request, use the cheaper fixed window,
    kept in :class:`LocalWindows` when the storage is this process's memory.
    """

    def __init__(
        self,
        storage_url: str,
        limits: dict[str, str],
        *,
        precise: frozenset[str] = frozenset(),
        namespace: str = "",
        service: str = "gateway",
    ) -> None:
        self.service = service
        url = storage_url if storage_url.startswith("async+") else f"async+{storage_url}"
        # In a shared Redis, the counters of one platform (its broker namespace) are its own:
        # two platforms, or two test runs, on one server never count each other's requests.
        shared = url.split("://", 1)[0].split("+")[-1] in {"redis", "rediss", "valkey", "valkeys"}
        options = {"key_prefix": f"LIMITS:{namespace}"} if shared and namespace else {}
        storage = storage_from_string(url, **options)
        self._sliding = SlidingWindowCounterRateLimiter(storage)
        self._fixed = FixedWindowRateLimiter(storage)
        self._items = {name: parse(value) for name, value in limits.items()}
        self._precise = precise
        self._local = LocalWindows() if url.startswith("async+memory://") else None

    async def hit(self, name: str, *key: str) -> Decision:
        """Count one request of kind ``name`` for ``key``."""
        item = self._items[name]
        if self._local is not None and name not in self._precise:
            allowed, ends = self._local.hit(item, (name, *key))
            if allowed:
                return Decision(True, 0)
            metrics.RATE_LIMIT_REFUSALS.labels(self.service, name).inc()
            return Decision(False, max(1, math.ceil(ends - wall_timestamp())))
        strategy = self._sliding if name in self._precise else self._fixed
        if await strategy.hit(item, name, *key):
            return Decision(True, 0)
        metrics.RATE_LIMIT_REFUSALS.labels(self.service, name).inc()
        stats = await strategy.get_window_stats(item, name, *key)
        return Decision(False, max(1, math.ceil(stats.reset_time - wall_timestamp())))

    async def check(self, name: str, *key: str, detail: str, detail_fr: str | None = None) -> None:
        """Count one request; raise 429 once the limit is exhausted (in French, ``detail_fr``
        or the wording of :data:`DETAILS_FR`)."""
        decision = await self.hit(name, *key)
        if not decision.allowed:
            raise TooManyRequests(
                detail,
                detail_fr=detail_fr or DETAILS_FR.get(detail),
                retry_after=decision.retry_after,
            )

    async def reset(self) -> None:
        """Forget every counter (tests)."""
        if self._local is not None:
            self._local.clear()
        await self._fixed.storage.reset()


class ClientAddress:
    """The caller's address, trusting ``X-Forwarded-For`` only from configured proxies."""

    def __init__(self, trusted_proxies: Sequence[str]) -> None:
        self._trusted = [ipaddress.ip_network(p, strict=False) for p in trusted_proxies]

    def _is_trusted(self, host: str) -> bool:
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return False
        return any(address in network for network in self._trusted)

    def of(self, connection: HTTPConnection) -> str:
        """The address to rate-limit on."""
        peer = connection.client.host if connection.client else "unknown"
        if not self._trusted or not self._is_trusted(peer):
            return peer
        forwarded = connection.headers.get("x-forwarded-for", "")
        hops = [h.strip() for h in forwarded.split(",") if h.strip()]
        # The nearest hop not added by one of our own proxies is the client.
        for hop in reversed(hops):
            if not self._is_trusted(hop):
                return hop
        return peer
