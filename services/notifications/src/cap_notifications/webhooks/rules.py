"""The outbound webhooks' rules: ids and secrets, what an answer means, when to try again."""

from __future__ import annotations

import base64
import random
import secrets as token_source
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from cap_notifications.config import Settings
from cap_notifications.models import WebhookDelivery

#: Subscribing to every notified event type.
ALL_EVENTS = "*"
#: Answers that mean "slow down": retried after ``Retry-After`` when the receiver gives one.
THROTTLED = frozenset({429, 502, 503, 504})
#: A ``Retry-After`` further than this is not waited for longer (the schedule's longest delay).
RETRY_AFTER_MAX_S = 86400.0
#: The schedule's delays vary by this fraction either way, so retries do not arrive in waves.
JITTER = 0.10
#: Consecutive failures (timeouts, connection errors, 5xx, 429) that open a subscription's
#: breaker, and how long it stays open before one trial call.
BREAKER_FAILURES = 5
BREAKER_RESET_S = 300.0


def new_secret() -> str:
    """A Standard Webhooks signing secret: ``whsec_`` + base64 of 32 random bytes."""
    return "whsec_" + base64.b64encode(token_source.token_bytes(32)).decode()


def message_id() -> str:
    """A Standard Webhooks message id: ``msg_`` + 32 hex digits (never a ``.``)."""
    return f"msg_{uuid.uuid4().hex}"


@dataclass(frozen=True)
class Outcome:
    """What one attempt came to."""

    latency_ms: int
    status_code: int | None = None
    error: str | None = None
    #: Seconds the receiver asked us to wait (``Retry-After``).
    retry_after: float | None = None
    #: The destination is refused: no connection was made, no retry.
    forbidden: bool = False
    #: No answer (timeout, connection error) or an undecryptable secret.
    unreachable: bool = False
    #: No answer in time (name resolution or the call itself).
    timed_out: bool = False

    @property
    def kind(self) -> str:
        """What ``cap_webhook_attempts_total`` counts it as: delivered, http_error (an answer
        other than 2xx), timeout, network_error (no answer: connection, refused destination)."""
        if self.delivered:
            return "delivered"
        if self.timed_out:
            return "timeout"
        return "http_error" if self.status_code is not None else "network_error"

    @property
    def delivered(self) -> bool:
        """Whether the receiver took it (2xx)."""
        return self.status_code is not None and 200 <= self.status_code < 300

    @property
    def stops_the_run(self) -> bool:
        """Whether this subscription's other due deliveries wait for the next run."""
        return self.unreachable or self.status_code in THROTTLED or self.status_code == 410

    @property
    def counts_as_failure(self) -> bool:
        """Whether the subscription's breaker counts it (no answer, 5xx, throttled)."""
        return self.unreachable or (
            self.status_code is not None
            and (self.status_code >= 500 or self.status_code in THROTTLED)
        )


def schedule(
    delivery: WebhookDelivery, now: datetime, settings: Settings, outcome: Outcome
) -> None:
    """Delivered, failed, or when to try again."""
    if outcome.delivered:
        delivery.status, delivery.delivered_at, delivery.last_error = "delivered", now, None
        return
    delivery.last_error = (outcome.error or "failed")[:2000]
    if outcome.forbidden or outcome.status_code == 410:
        delivery.status = "failed"
        return
    delays = settings.webhook_retry_delays_s
    # Attempts of this round: since the delivery was created, or since its last replay.
    made = delivery.attempts - (delivery.replayed_after or 0)
    if made > len(delays):
        delivery.status = "failed"
        return
    if outcome.retry_after is not None:
        delay = outcome.retry_after
    else:
        delay = delays[made - 1] * random.uniform(1 - JITTER, 1 + JITTER)
    delivery.status, delivery.next_attempt_at = "pending", now + timedelta(seconds=delay)
