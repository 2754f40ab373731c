"""The publishing channel as the watchdog sees it, on a fake broker (no RabbitMQ): when it is
reopened, and the channel and its exchanges put in place together
(cap_shared.messaging.rabbit_publisher)."""

from __future__ import annotations

import asyncio
from typing import Any

from prometheus_client import REGISTRY

from cap_shared.messaging.rabbit_publisher import PublishingChannel
from cap_shared.messaging.watchdog import ConsumerWatchdog


class FakeChannel:
    def __init__(self, name: str, *, closed: bool = False) -> None:
        self.name = name
        self.is_closed = closed
        self.close_calls = 0

    async def close(self) -> None:
        self.close_calls += 1
        self.is_closed = True


class FakeBroker:
    def __init__(self, channel: FakeChannel | None) -> None:
        self._channel: Any = channel
        self._exchange: Any = ("events", channel)
        self._dlx: Any = ("dlx", channel)
        self._retry: Any = ("retry", channel)
        self.opened: list[FakeChannel] = []
        self.during_open: Any = None  # run while the new channel opens

    async def _publishing_channel(self) -> tuple[Any, Any, Any, Any]:
        await asyncio.sleep(0)
        if self.during_open is not None:
            self.during_open()
        channel = FakeChannel(f"new-{len(self.opened)}")
        self.opened.append(channel)
        return channel, ("events", channel), ("dlx", channel), ("retry", channel)


def restored() -> float:
    return REGISTRY.get_sample_value("cap_broker_publisher_restored_total") or 0.0


async def test_an_open_channel_or_none_is_working() -> None:
    assert PublishingChannel(FakeBroker(FakeChannel("open"))).working()  # type: ignore[arg-type]
    assert PublishingChannel(FakeBroker(None)).working()  # type: ignore[arg-type]  # not started
    assert not PublishingChannel(FakeBroker(FakeChannel("old", closed=True))).working()  # type: ignore[arg-type]


async def test_a_closed_channel_is_closed_for_good_and_replaced_with_its_exchanges() -> None:
    old = FakeChannel("old", closed=True)
    broker = FakeBroker(old)
    assert await PublishingChannel(broker).restore()  # type: ignore[arg-type]
    assert old.close_calls == 1  # no late restore of aio-pika's beside the new one
    (new,) = broker.opened
    assert broker._channel is new
    assert [broker._exchange, broker._dlx, broker._retry] == [
        ("events", new),
        ("dlx", new),
        ("retry", new),
    ]


async def test_a_channel_open_again_by_now_is_left_alone() -> None:
    channel = FakeChannel("restored late by aio-pika")
    broker = FakeBroker(channel)
    assert not await PublishingChannel(broker).restore()  # type: ignore[arg-type]
    assert broker.opened == []
    assert channel.close_calls == 0
    assert broker._channel is channel


async def test_a_broker_closed_while_the_channel_opens_keeps_nothing_open() -> None:
    broker = FakeBroker(FakeChannel("old", closed=True))

    def closed() -> None:  # RabbitBroker.close() under way
        broker._channel = broker._exchange = broker._dlx = broker._retry = None

    broker.during_open = closed
    assert not await PublishingChannel(broker).restore()  # type: ignore[arg-type]
    (new,) = broker.opened
    assert new.is_closed
    assert broker._channel is None
    assert broker._exchange is None


async def test_the_watchdog_reopens_it_on_its_second_look_and_counts_it() -> None:
    broker = FakeBroker(FakeChannel("old", closed=True))
    publishing = PublishingChannel(broker)  # type: ignore[arg-type]
    dog = ConsumerWatchdog(lambda: [publishing], connected=lambda: True)
    before = restored()
    assert await dog.check() == 0  # aio-pika's restore first
    assert broker.opened == []
    assert await dog.check() == 1
    assert restored() == before + 1
    assert await dog.check() == 0  # open: left alone
    assert len(broker.opened) == 1
