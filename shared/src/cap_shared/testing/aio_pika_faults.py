"""aio-pika's restore of a channel after a reconnection, failing the way it did on a loaded CI
machine, made certain for a test (cap_shared.messaging.watchdog is what copes with it)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from aio_pika import RobustChannel

from cap_shared.testing.messaging import wait_until


class LateFailingRestore:
    """The interleaving of the CI failure, made certain: the close callback of the consumer's
    old channel runs only once the connection is back (aio-pika's own restore of the channel
    then did nothing: the channel still looked restored), and its reopen raises, as it did on
    the loaded machine. Left alone, the queue keeps no consumer of ours."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Patch ``RobustChannel._on_close``; :meth:`arm` it to fault a channel's next close."""
        #: The channel whose next close is faulted (none: every close runs as aio-pika's).
        self.target: Any = None
        #: The target's connection's attempts when armed (aio-pika counts one per connection).
        self.attempts = 0
        self.fired = asyncio.Event()
        original = RobustChannel._on_close
        hook = self

        async def on_close(channel: RobustChannel, closing: asyncio.Future[Any]) -> Any:
            # That channel only: a close of another one (the publishing channel when a consumer's
            # is armed, a channel an earlier test of this process left closing) neither fires nor
            # disarms the fault.
            if channel is not hook.target:
                return await original(channel, closing)
            hook.target = None
            connection: Any = channel._connection
            old = connection.transport
            # The reconnection's restores over: aio-pika counts an attempt once it restored every
            # channel (RobustConnection._on_connected), after it set ``connected``. A fixed pause
            # after ``connected`` was not enough on a loaded machine: the failing reopen below
            # then also failed aio-pika's own restore of the channel, which closed the new
            # connection and reconnected again and again (1 run in 6 under 8 busy processes).
            await wait_until(
                lambda: (
                    connection.connected.is_set()
                    and connection.transport is not None
                    and connection.transport is not old
                    and connection.connection_attempt > hook.attempts
                ),
                timeout=15,
                message="the reconnection and its restores",
            )

            async def reopen() -> None:
                raise RuntimeError(f"{old.connection!r} closed")

            # Every reopen of this channel fails from now on: a late retry of aio-pika's own
            # (RobustConnection._restore_consumers, when the old connection's close callback
            # also runs late) cannot hide the stall, whatever the interleaving.
            channel.reopen = reopen
            try:
                return await original(channel, closing)
            finally:
                hook.fired.set()

        # Bound when a channel opens: patched before the consumer's channel is.
        monkeypatch.setattr(RobustChannel, "_on_close", on_close)

    def arm(self, channel: Any) -> None:
        """Fault the next close of ``channel``: a consumer's (its handle's ``channel``), or the
        broker's publishing channel (``broker._channel``)."""
        self.attempts = channel._connection.connection_attempt
        self.target = channel
