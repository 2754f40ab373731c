"""The in-memory fixed windows of the edge's general limits: what ``limits``' memory storage
counted, counted without its per-hit lock and expiry task."""

from __future__ import annotations

import pytest

from cap_gateway import ratelimit
from cap_gateway.ratelimit import RateLimiter, TooManyRequests


async def test_a_fixed_window_allows_its_limit_then_refuses_until_it_ends(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    now = [1_000_000.0]
    monkeypatch.setattr(ratelimit, "wall_timestamp", lambda: now[0])
    limiter = RateLimiter("memory://", {"user": "3/minute", "anonymous": "1/minute"})
    assert limiter._local is not None  # the local windows serve the memory storage
    for _ in range(3):
        assert (await limiter.hit("user", "user:a")).allowed
    refused = await limiter.hit("user", "user:a")
    assert (refused.allowed, refused.retry_after) == (False, 60)
    assert (await limiter.hit("user", "user:b")).allowed  # another key, its own window
    assert (await limiter.hit("anonymous", "user:a")).allowed  # another limit, its own window
    now[0] += 45
    with pytest.raises(TooManyRequests) as raised:
        await limiter.check("user", "user:a", detail="too many requests for this account")
    assert raised.value.headers["Retry-After"] == "15"
    now[0] += 15  # the window ends at its first hit + 60 s
    assert (await limiter.hit("user", "user:a")).allowed


async def test_expired_windows_are_swept_and_reset_forgets_every_window(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    now = [1_000_000.0]
    monkeypatch.setattr(ratelimit, "wall_timestamp", lambda: now[0])
    limiter = RateLimiter("memory://", {"anonymous": "1/second"})
    local = limiter._local
    assert local is not None
    for n in range(100):
        await limiter.hit("anonymous", f"10.0.0.{n}")
    assert len(local._windows) == 100
    now[0] += local.SWEEP_S + 1
    await limiter.hit("anonymous", "10.0.1.1")  # a new window: the expired ones go
    assert list(local._windows) == [("anonymous", "10.0.1.1")]
    assert not (await limiter.hit("anonymous", "10.0.1.1")).allowed
    await limiter.reset()
    assert (await limiter.hit("anonymous", "10.0.1.1")).allowed


def test_a_shared_storage_keeps_the_library_counters() -> None:
    assert RateLimiter("redis://127.0.0.1:6379", {"user": "3/minute"})._local is None
