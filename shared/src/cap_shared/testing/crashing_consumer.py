"""A consumer process that dies (``os._exit``) right after committing its first effect.

Run by the M5 test: ``python -m cap_shared.testing.crashing_consumer <db url> <amqp url> <namespace>``.
The broker then holds the delivered message unacked; the process death returns it to the queue.
"""

from __future__ import annotations

import asyncio
import os
import sys

from cap_shared.db.session import Database
from cap_shared.messaging.rabbitmq import RabbitBroker
from cap_shared.testing import toy

EXIT_CODE = 17


async def main(db_url: str, amqp_url: str, namespace: str, queue_name: str) -> None:
    """Consume one message, commit its effect, then die without acknowledging it."""
    from cap_shared.messaging import QueueSpec

    db = Database(db_url)
    broker = RabbitBroker(amqp_url, namespace=namespace)
    await broker.start()

    async def die(_env: object) -> None:
        sys.stdout.write("committed\n")
        sys.stdout.flush()
        os._exit(EXIT_CODE)  # no ack, no cleanup: a killed process

    consumer = toy.toy_consumer(db, toy.EffectCounter(), after_commit=die)
    await broker.consume(
        QueueSpec(name=queue_name, bindings=(toy.TOY_EVENT,), delivery_limit=5), consumer
    )
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    await asyncio.sleep(60)


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:5]))
