"""The publishing channel of :class:`~cap_shared.messaging.rabbitmq.RabbitBroker` as its watchdog
(:mod:`cap_shared.messaging.watchdog`) sees it: reopened, with its exchanges, when aio-pika
failed to restore it after a reconnection."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING

from cap_shared import metrics
from cap_shared.messaging.rabbit_consumer import TEARDOWN_S as _TEARDOWN_S
from cap_shared.messaging.rabbit_consumer import restore_settled

if TYPE_CHECKING:
    from cap_shared.messaging.rabbitmq import RabbitBroker

logger = logging.getLogger("cap_shared.messaging.rabbitmq")


class PublishingChannel:
    """The broker's ``_channel`` and the exchanges declared on it (a
    :class:`~cap_shared.messaging.watchdog.Watched`)."""

    watched = "publishing channel"

    def __init__(self, broker: RabbitBroker) -> None:
        self.broker = broker
        self._swap = asyncio.Lock()

    def working(self) -> bool:
        """Open; or none (the broker not started, or closed): nothing to look after."""
        channel = self.broker._channel
        return channel is None or not channel.is_closed

    def counted(self, on: bool) -> None:
        """No gauge: ``/readyz`` (the broker's ``ping``) already fails while it is closed."""

    async def restore(self) -> bool:
        """Close the channel aio-pika failed to restore, open a confirm channel, declare the
        exchanges on it and put it in place of the old one with them, in one step (no await
        between): a publish reads the channel and its exchange together, so it goes out either
        on the old channel (closed: it fails with BrokerUnavailable and the outbox sends it
        again) or on the new one, never half on each."""
        broker = self.broker
        async with self._swap:
            old = broker._channel
            if old is None:
                return False
            await restore_settled(old)
            if broker._channel is not old or not old.is_closed:
                return False  # aio-pika's restore worked after all, or the broker closed
            # close() marks a robust channel closed for good: no late restore of it beside ours.
            with contextlib.suppress(Exception):
                await asyncio.wait_for(old.close(), timeout=_TEARDOWN_S)
            channel, exchange, dlx, retry = await broker._publishing_channel()
            if broker._channel is not old:  # the broker closed meanwhile
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(channel.close(), timeout=_TEARDOWN_S)
                return False
            broker._channel, broker._exchange, broker._dlx, broker._retry = (
                channel,
                exchange,
                dlx,
                retry,
            )
            return True

    def restored(self) -> None:
        """The warning and ``cap_broker_publisher_restored_total`` of a reopen."""
        metrics.BROKER_PUBLISHER_RESTORED.inc()
        logger.warning(
            "publishing channel was closed and aio-pika did not restore it; reopened with "
            "confirms and its exchanges"
        )
