"""The broker interface and the retry / dead-letter policy both implementations share.

Semantics (identical on RabbitMQ and in memory):

* ``publish`` returns once the broker has accepted the message (publisher confirm) and raises
  :class:`Unroutable` when no queue is bound to its routing key, :class:`PublishFailed` on a nack
  or a timeout, :class:`BrokerUnavailable` when there is no connection. Never silent.
* A consumer queue gets the messages whose routing key matches one of its bindings (AMQP topic
  rules: ``*`` one word, ``#`` zero or more).
* A handler that returns -> ack. A handler that raises :class:`PermanentError` (malformed event,
  unknown type) -> dead-lettered at once with the reason. Any other exception or a handler
  timeout -> retried after ``retry_delays[n]``; once the delays are used up -> dead-lettered
  with the reason. A handler that raises :class:`DependencyUnavailable` (its database is
  unreachable: an outage, not a failure of the event) -> the delivery is held unacked, not
  counted as an attempt, and handled again when the dependency answers; past ``hold_limit``
  (kept under the broker's consumer timeout) it goes round a delay queue with its attempt
  unchanged. An outage never dead-letters an event. A consumer that dies without acking -> the broker redelivers
  (``redelivered``), and past ``delivery_limit`` deliveries dead-letters it with reason
  ``delivery_limit``.
* Dead letters keep the original body and headers plus ``x-cap-death-reason``,
  ``x-cap-attempts``, ``x-cap-queue``, ``x-cap-routing-key`` and ``x-cap-dead-lettered-at``.
"""

from __future__ import annotations

import abc
import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any

from cap_shared import metrics
from cap_shared.clock import wall_now
from cap_shared.logging import message_logging

logger = logging.getLogger(__name__)

ATTEMPT_HEADER = "x-cap-attempt"
DEATH_REASON_HEADER = "x-cap-death-reason"
ATTEMPTS_HEADER = "x-cap-attempts"
QUEUE_HEADER = "x-cap-queue"
ROUTING_KEY_HEADER = "x-cap-routing-key"
DEAD_AT_HEADER = "x-cap-dead-lettered-at"
DELIVERY_LIMIT_REASON = "delivery_limit"


class BrokerError(Exception):
    """Base of every messaging failure."""


class BrokerUnavailable(BrokerError):
    """No connection to the broker (down, unreachable, or not started)."""


class PublishFailed(BrokerError):
    """The broker did not confirm the message (nack or confirm timeout)."""


class Unroutable(PublishFailed):
    """No queue is bound to the message's routing key: it would have been lost."""


class DependencyUnavailable(Exception):
    """Raised by a handler when infrastructure it needs (its database) is unreachable.

    Not the event's failure: :func:`run_handler` holds the delivery, awaits ``until_back`` and
    runs the handler again, without counting an attempt. ``until_back(timeout)`` returns how
    many probes failed before the dependency answered (0: it answered at once), or ``None``
    if it still does not answer after ``timeout`` seconds.
    """

    def __init__(self, reason: str, until_back: Callable[[float], Awaitable[int | None]]) -> None:
        super().__init__(reason)
        self.reason = reason
        self.until_back = until_back


class PermanentError(Exception):
    """Raised by a handler for a message that can never succeed; it is dead-lettered at once."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class OutgoingMessage:
    """A message to publish; ``message_id`` is the event id consumers deduplicate on."""

    routing_key: str
    body: bytes
    message_id: str
    type: str | None = None
    correlation_id: str | None = None
    headers: dict[str, Any] = field(default_factory=dict)
    timestamp: datetime | None = None
    content_type: str = "application/cloudevents+json"


@dataclass
class Delivery:
    """A message as a handler sees it."""

    body: bytes
    routing_key: str
    message_id: str | None
    correlation_id: str | None
    headers: dict[str, Any]
    redelivered: bool
    #: Which application-level attempt this is (1 = first), counted across delayed retries.
    attempt: int
    queue: str
    type: str | None = None
    timestamp: datetime | None = None
    content_type: str | None = None

    @property
    def death_reason(self) -> str | None:
        """Why this message was dead-lettered (ours, or the broker's ``x-first-death-reason``)."""
        reason = self.headers.get(DEATH_REASON_HEADER)
        if reason is None:
            # RabbitMQ records broker-side deaths in x-death, most recent first.
            deaths = self.headers.get("x-death") or []
            if deaths and isinstance(deaths[0], dict):
                reason = deaths[0].get("reason")
        return str(reason) if reason is not None else None


Handler = Callable[[Delivery], Awaitable[None]]


def delivery_logging(delivery: Delivery) -> AbstractContextManager[None]:
    """Around a line about ``delivery`` (retried, held, parked, dead-lettered...): it carries
    the event's ``event_id``, ``event_type`` (the message's type, else its routing key) and the
    request id that caused it, as its handler's lines do."""
    return message_logging(
        delivery.message_id, delivery.type or delivery.routing_key, delivery.correlation_id
    )


@dataclass(frozen=True)
class QueueSpec:
    """One consuming service's queue: its bindings and its failure policy."""

    #: Logical name, e.g. ``diagnostic``; the broker prefixes it with its namespace.
    name: str
    bindings: tuple[str, ...]
    delivery_limit: int = 10
    retry_delays: tuple[float, ...] = (1.0, 10.0, 60.0, 300.0)
    prefetch: int = 64
    handler_timeout: float = 60.0
    #: How long a delivery is held while a dependency is down before it goes round a delay
    #: queue (attempt unchanged): under RabbitMQ's consumer timeout (30 min by default), which
    #: would otherwise close the channel and count a delivery toward ``delivery_limit``.
    hold_limit: float = 20 * 60.0

    @property
    def max_attempts(self) -> int:
        """Handler runs before a failing message is dead-lettered."""
        return 1 + len(self.retry_delays)


class Outcome(Enum):
    """What to do with a delivery once the handler has run."""

    ACK = "ack"
    RETRY = "retry"
    DEAD = "dead"


@dataclass(frozen=True)
class Decision:
    """An :class:`Outcome` with its details."""

    outcome: Outcome
    delay: float = 0.0
    reason: str = ""
    #: Whether a RETRY counts as an attempt (False: a dependency outage, not the handler's).
    counted: bool = True

    def next_attempt(self, delivery: Delivery) -> int:
        """The attempt number the retried message carries."""
        return delivery.attempt + 1 if self.counted else delivery.attempt


#: Times in a row a handler may report its dependency down while a probe finds it up at once,
#: before the error counts as the handler's own failure (a misclassified error never loops).
MAX_FALSE_OUTAGES = 3


async def run_handler(spec: QueueSpec, handler: Handler, delivery: Delivery) -> Decision:
    """Run ``handler`` under the queue's timeout and decide ack, delayed retry or dead letter.

    While the handler reports :class:`DependencyUnavailable`, the delivery is held (outside the
    handler's timeout) until the dependency answers, then handled again: no attempt is counted.
    Cancellation and other ``BaseException`` (the consumer stopping or dying) propagate: the
    message is then neither acked nor retried, and the broker redelivers it.
    """
    started = time.perf_counter()
    loop = asyncio.get_running_loop()
    held_until = loop.time() + spec.hold_limit
    false_outages = 0
    try:
        while True:
            try:
                await _within(spec.handler_timeout, handler, delivery)
                break
            except DependencyUnavailable as exc:
                if false_outages == 0:
                    with delivery_logging(delivery):
                        logger.warning(
                            "holding %s until its dependency answers: %s",
                            delivery.message_id,
                            exc.reason,
                        )
                failed_probes = await exc.until_back(max(0.0, held_until - loop.time()))
                if failed_probes is None:
                    with delivery_logging(delivery):
                        logger.warning(
                            "%s held %.0fs, dependency still down: parked, attempt not counted",
                            delivery.message_id,
                            spec.hold_limit,
                        )
                    metrics.EVENTS_CONSUMED.labels(queue=spec.name, outcome="held").inc()
                    return Decision(
                        Outcome.RETRY,
                        delay=spec.retry_delays[0] if spec.retry_delays else 1.0,
                        reason=f"dependency unavailable: {exc.reason}"[:1000],
                        counted=False,
                    )
                false_outages = false_outages + 1 if failed_probes == 0 else 0
                if false_outages >= MAX_FALSE_OUTAGES:
                    raise RuntimeError(exc.reason) from exc
    except PermanentError as exc:
        metrics.EVENTS_CONSUMED.labels(queue=spec.name, outcome="dead").inc()
        return Decision(Outcome.DEAD, reason=f"permanent: {exc.reason}")
    except Exception as exc:
        error = (
            "handler timed out" if isinstance(exc, TimeoutError) else f"{type(exc).__name__}: {exc}"
        )
        if delivery.attempt < spec.max_attempts:
            with delivery_logging(delivery):
                logger.warning(
                    "handler failed on %s (attempt %d/%d), retrying: %s",
                    delivery.message_id,
                    delivery.attempt,
                    spec.max_attempts,
                    error,
                )
            metrics.EVENTS_CONSUMED.labels(queue=spec.name, outcome="retry").inc()
            return Decision(
                Outcome.RETRY, delay=spec.retry_delays[delivery.attempt - 1], reason=error
            )
        with delivery_logging(delivery):
            logger.error(
                "handler failed on %s after %d attempts: %s",
                delivery.message_id,
                delivery.attempt,
                error,
            )
        metrics.EVENTS_CONSUMED.labels(queue=spec.name, outcome="dead").inc()
        return Decision(
            Outcome.DEAD, reason=f"failed after {delivery.attempt} attempts: {error}"[:1000]
        )
    finally:
        metrics.HANDLER_SECONDS.labels(queue=spec.name).observe(time.perf_counter() - started)
    metrics.EVENTS_CONSUMED.labels(queue=spec.name, outcome="ack").inc()
    return Decision(Outcome.ACK)


async def _within(timeout: float, handler: Handler, delivery: Delivery) -> None:
    """Run ``handler`` and give up on it after ``timeout`` seconds, *without* waiting for it to
    unwind: a handler whose cancellation takes long (a slow rollback, a network close) must not
    hold the delivery past the broker's own consumer timeout, which would close the channel,
    requeue the message as if never tried and, once per delivery limit, dead-letter it. The
    abandoned handler finishes on its own; if it commits after all, the retry finds its inbox
    row and does nothing.
    """
    task = asyncio.ensure_future(handler(delivery))
    try:
        done, _ = await asyncio.wait({task}, timeout=timeout)
    except asyncio.CancelledError:
        task.cancel()  # the consumer is stopping: the handler stops too, unacked
        raise
    if task in done:
        task.result()  # the handler's outcome: returns, or raises its exception
        return
    task.cancel()
    with delivery_logging(delivery):  # the callback runs in a copy of this context
        task.add_done_callback(_abandoned)
    raise TimeoutError


def _abandoned(task: asyncio.Future[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        logger.info("a timed-out handler ended with %r", task.exception())


def dead_letter_headers(delivery: Delivery, reason: str) -> dict[str, Any]:
    """The original headers plus why, when and where the message died."""
    headers = dict(delivery.headers)
    headers[DEATH_REASON_HEADER] = reason[:1000]
    headers[ATTEMPTS_HEADER] = delivery.attempt
    headers[QUEUE_HEADER] = delivery.queue
    headers[ROUTING_KEY_HEADER] = delivery.routing_key
    headers[DEAD_AT_HEADER] = wall_now().isoformat()
    return headers


def topic_matches(pattern: str, routing_key: str) -> bool:
    """AMQP topic matching: ``*`` is exactly one word, ``#`` zero or more words."""
    return _match(pattern.split("."), routing_key.split("."))


def _match(pattern: list[str], words: list[str]) -> bool:
    if not pattern:
        return not words
    head, rest = pattern[0], pattern[1:]
    if head == "#":
        return any(_match(rest, words[i:]) for i in range(len(words) + 1))
    if not words:
        return False
    return (head in ("*", words[0])) and _match(rest, words[1:])


class ConsumerHandle(abc.ABC):
    """A running consumer; ``cancel`` stops taking new messages and waits for those in flight."""

    #: Whether it counts in ``cap_event_consumers`` (subscribed, its connection up).
    _live = False

    def live(self, spec: QueueSpec, on: bool, *, dead: bool) -> None:
        """Count this consumer in ``cap_event_consumers{queue}`` (``<name>``, or ``<name>.dlq``
        for a dead-letter consumer) while it is subscribed and connected."""
        if on != self._live:
            self._live = on
            gauge = metrics.EVENT_CONSUMERS.labels(queue=f"{spec.name}.dlq" if dead else spec.name)
            gauge.inc(1 if on else -1)

    @abc.abstractmethod
    async def cancel(self) -> None:
        """Stop consuming."""


class Broker(abc.ABC):
    """What the outbox relay, the consumers and the operators need from a broker."""

    #: True when a crash loses what the broker holds (in memory): the relay then republishes
    #: recent events at start-up and consumers dedupe them.
    ephemeral: bool = False

    def __init__(self, *, namespace: str = "cap") -> None:
        self.namespace = namespace

    # names -----------------------------------------------------------------
    @property
    def exchange_name(self) -> str:
        """The durable topic exchange every event is published to."""
        return f"{self.namespace}.events"

    def queue_name(self, spec: QueueSpec | str) -> str:
        """Full name of a consumer queue."""
        name = spec if isinstance(spec, str) else spec.name
        return f"{self.namespace}.{name}"

    def dead_letter_queue_name(self, spec: QueueSpec | str) -> str:
        """Full name of a consumer queue's dead-letter queue."""
        return f"{self.queue_name(spec)}.dlq"

    # lifecycle ---------------------------------------------------------------
    @abc.abstractmethod
    async def start(self) -> None:
        """Connect (or raise :class:`BrokerUnavailable`) and declare the exchanges."""

    @abc.abstractmethod
    async def close(self) -> None:
        """Stop consumers and disconnect."""

    @abc.abstractmethod
    async def ping(self) -> None:
        """Raise :class:`BrokerUnavailable` unless connected and usable."""

    # publishing --------------------------------------------------------------
    @abc.abstractmethod
    async def publish(self, message: OutgoingMessage, *, timeout: float = 5.0) -> None:
        """Publish and wait for the broker's confirm (see module docstring for the errors)."""

    async def publish_many(
        self, messages: Sequence[OutgoingMessage], *, timeout: float = 5.0
    ) -> list[BaseException | None]:
        """Publish pipelined (all in flight at once); one result per message, ``None`` = confirmed."""
        results = await asyncio.gather(
            *(self.publish(m, timeout=timeout) for m in messages), return_exceptions=True
        )
        return [r if isinstance(r, BaseException) else None for r in results]

    # consuming ---------------------------------------------------------------
    @abc.abstractmethod
    async def declare_queue(self, spec: QueueSpec) -> None:
        """Declare the consumer queue, its bindings, its delay queues and its dead-letter queue."""

    @abc.abstractmethod
    async def consume(self, spec: QueueSpec, handler: Handler) -> ConsumerHandle:
        """Declare ``spec`` and run ``handler`` on its messages with the shared failure policy."""

    @abc.abstractmethod
    async def consume_dead_letters(self, spec: QueueSpec, handler: Handler) -> ConsumerHandle:
        """Run ``handler`` on the dead letters of ``spec``; acked when it returns, else kept."""

    @abc.abstractmethod
    async def send_to_queue(
        self, spec: QueueSpec, message: OutgoingMessage, *, timeout: float = 5.0
    ) -> None:
        """Put a message straight into one consumer queue (dead-letter replay), confirmed."""

    @abc.abstractmethod
    async def queue_depth(self, queue: str) -> int:
        """Messages ready in a queue given by its full name (operations and tests)."""
