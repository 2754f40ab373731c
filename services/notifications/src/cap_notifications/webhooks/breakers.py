"""The circuit breaker of each subscription, in this process: one that keeps failing is left
alone for a while."""

from __future__ import annotations

from cap_notifications.webhooks.rules import BREAKER_FAILURES, BREAKER_RESET_S
from cap_shared import metrics
from cap_shared.breaker import CircuitBreaker

#: One breaker per subscription id, in this process.
BREAKERS: dict[str, CircuitBreaker] = {}
metrics.BREAKERS.watch("notifications", "webhook", lambda: list(BREAKERS.items()))


def breaker(subscription_id: str) -> CircuitBreaker:
    """The circuit breaker of one subscription (in this process)."""
    if subscription_id not in BREAKERS:
        BREAKERS[subscription_id] = CircuitBreaker(BREAKER_FAILURES, BREAKER_RESET_S)
    return BREAKERS[subscription_id]


def open_ones() -> list[str]:
    """The subscriptions whose breaker lets no call through now."""
    return [key for key, b in BREAKERS.items() if b.state == "open"]
