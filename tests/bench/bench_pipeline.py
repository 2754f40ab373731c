"""Event pipeline benchmark (``make bench``).

Measures, in one run, on the same RabbitMQ and PostgreSQL, with the same process layout
(producer in this process, consumer — and relay — in their own processes, as deployed):

* baseline — raw aio-pika: persistent messages published with pipelined publisher confirms to a
  durable quorum queue, consumed and acked by another process;
* pipeline — the platform's path: a business transaction writes a row and its outbox row ->
  the outbox relay (own process) publishes with confirms -> RabbitMQ -> the consumer (own
  process) claims its inbox rows, writes its effects and commits -> ack. The consumer handles
  the deliveries that arrive together in one transaction (micro-batches of up to 100); the
  effect is written by a batch handler (one multi-row INSERT), and, for comparison, by a
  per-event handler.

For each: throughput (N events as fast as the producer can go, until the last one is consumed /
committed; for the pipeline also with the N outbox rows already written, i.e. the relay ->
broker -> consumer capacity on its own, as after an outage) and end-to-end latency at a fixed
rate (default 500 events/s, open loop, 10 s): from just before the producing transaction to the
consumer's commit (baseline: publish -> ack). Each latency run starts with one second at the
same rate that is not counted (``--warmup``): the processes' first passes open their database
connections and prepare their statements, which a long-running deployed process has done long
before; the figure with that second included is printed too.
Targets from the foundation issue: pipeline throughput >= 50 % of the baseline's; p99 < 50 ms at
500 events/s.

Tracing (issue 21): the pipeline's throughput run again with tracing on in every process (each
business transaction inside a span, as an API request's; every span recorded, batched and
encoded as OTLP protobuf, then dropped: what OTLP export costs, minus the network), then with
one trace in ten and one in a hundred kept (``OTEL_TRACES_SAMPLER=parentbased_traceidratio``,
decided at the write and followed downstream), each printed as "tracing on / off" per event (target < 1.10).

    uv run python tests/bench/bench_pipeline.py [--events 5000] [--rate 500] [--seconds 10]
        [--warmup 1] [--only latency|tracing]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import signal
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import uuid4

import aio_pika
import sqlalchemy as sa
import uvloop
from opentelemetry.trace import SpanKind
from spans_nowhere import ENV as TRACED_ENV
from spans_nowhere import trace_to_nowhere

from cap_shared import telemetry
from cap_shared.clock import wall_now, wall_timestamp
from cap_shared.contracts.envelope import Envelope
from cap_shared.db.session import Database
from cap_shared.gc import tune_gc
from cap_shared.messaging import QueueSpec
from cap_shared.messaging.rabbitmq import RabbitBroker
from cap_shared.outbox import OutboxRelay
from cap_shared.outbox.writer import add_event
from cap_shared.settings import BaseServiceSettings
from cap_shared.testing import services, toy
from cap_shared.testing.fixtures import cleanup_rabbit, create_schema, unique_namespace

RAW_KEY = "bench.raw.v1"
#: The business row's INSERT, built once with its values as parameters (as repositories should).
THING_INSERT = sa.insert(toy.thing)
DEPLOYED_GC = BaseServiceSettings().gc_thresholds
#: The bench's database: CAP_TEST_NAMESPACE keeps two checkouts' runs on one server apart.
DB_NAME = f"cap_bench_pipeline_{services.worker_id()}"


@dataclass
class Result:
    name: str
    throughput: float
    p50_ms: float
    p99_ms: float
    max_ms: float


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


async def paced(events: int, rate: float, send: Any) -> None:
    """Call ``send(i)`` ``events`` times at ``rate`` per second (open loop)."""
    interval = 1.0 / rate
    start = time.perf_counter()
    tasks = []
    for i in range(events):
        delay = start + i * interval - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(send(i)))
    await asyncio.gather(*tasks)


# --- child processes ---------------------------------------------------------------------------
def own_cpu() -> float:
    """This process's CPU seconds so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def report(latencies: list[tuple[int, float]], last: float, since: float = 0.0) -> None:
    """What a child consumer measured: (event number, latency) in order of arrival, and its
    CPU seconds since ``since`` (its CPU when it said it was ready)."""
    cpu = own_cpu() - since
    sys.stdout.write(json.dumps({"latencies": latencies, "last": last, "cpu": cpu}) + "\n")
    sys.stdout.flush()


async def child_raw_consumer(queue_name: str, events: int) -> None:
    connection = await aio_pika.connect(services.RABBITMQ_URL)
    channel = await connection.channel()
    await channel.set_qos(prefetch_count=256)
    queue = await channel.get_queue(queue_name)
    latencies: list[tuple[int, float]] = []
    done = asyncio.Event()

    async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
        await message.ack()
        body = json.loads(message.body)
        latencies.append((body["i"], wall_timestamp() - body["t"]))
        if len(latencies) == events:
            done.set()

    await queue.consume(on_message)
    print("ready", flush=True)
    await done.wait()
    report(latencies, wall_timestamp())
    await connection.close()


async def child_pipeline_consumer(
    namespace: str, db_url: str, events: int, handler_kind: str
) -> None:
    db = Database(db_url, pool_size=5, max_overflow=5)
    broker = RabbitBroker(services.RABBITMQ_URL, namespace=namespace)
    await broker.start()
    latencies: list[tuple[int, float]] = []
    done = asyncio.Event()

    async def after_commit(env: Envelope) -> None:
        latencies.append((env.data["n"], wall_timestamp() - env.data["t"]))
        if len(latencies) == events:
            done.set()

    consumer = toy.toy_consumer(
        db,
        toy.EffectCounter(),
        after_commit=after_commit,
        batch_size=100,
        batch_handler=handler_kind == "batch",
    )
    await broker.consume(QueueSpec(name="bench", bindings=(toy.TOY_EVENT,), prefetch=256), consumer)
    ready = own_cpu()
    print("ready", flush=True)
    await done.wait()
    report(latencies, wall_timestamp(), ready)
    # Connections kept until the parent has read the CPU of their PostgreSQL backends (a
    # backend's CPU is gone from /proc once it exits): it closes our stdin when done.
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    await broker.close()
    await db.dispose()


async def child_relay(namespace: str, db_url: str) -> None:
    db = Database(db_url, pool_size=2, max_overflow=2)
    broker = RabbitBroker(services.RABBITMQ_URL, namespace=namespace)
    await broker.start()
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    relay = OutboxRelay(
        db=db, broker=broker, table=toy.tables.outbox, service="toy", poll_interval=0.5
    )
    print("ready", flush=True)
    await relay.run(stop)
    await broker.close()
    await db.dispose()


async def spawn(*args: str) -> asyncio.subprocess.Process:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        __file__,
        "--child",
        *args,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        limit=2**26,
    )
    assert proc.stdout is not None
    line = await asyncio.wait_for(proc.stdout.readline(), 60)
    assert line.strip() == b"ready", line
    return proc


#: CPU seconds the last collected child reported for itself (it exits before it can be read).
CHILD_CPU: dict[str, float] = {}


#: (event number, seconds) per event consumed, in order of arrival.
Latencies = list[tuple[int, float]]


async def collect(
    proc: asyncio.subprocess.Process, before_exit: Any = None
) -> tuple[Latencies, float]:
    """What the child reported; ``before_exit()`` is called while it still holds its
    connections (it waits for its stdin to close)."""
    assert proc.stdout is not None
    assert proc.stdin is not None
    data = json.loads(await asyncio.wait_for(proc.stdout.readline(), 300))
    if before_exit is not None:
        before_exit()
    proc.stdin.close()
    await proc.wait()
    CHILD_CPU["last"] = data["cpu"]
    return [(int(n), float(v)) for n, v in data["latencies"]], data["last"]


# --- the two runs ------------------------------------------------------------------------------
async def raw_run(events: int, rate: float | None) -> tuple[float, Latencies]:
    name = f"bench.raw.{uuid4().hex[:8]}"
    connection = await aio_pika.connect(services.RABBITMQ_URL)
    try:
        channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
        exchange = await channel.declare_exchange(name, aio_pika.ExchangeType.TOPIC, durable=True)
        queue = await channel.declare_queue(
            name, durable=True, arguments={"x-queue-type": "quorum"}
        )
        await queue.bind(exchange, routing_key="bench.#")
        consumer = await spawn("raw-consumer", name, str(events))

        async def publish(i: int) -> None:
            body = json.dumps({"i": i, "t": wall_timestamp()}).encode()
            message = aio_pika.Message(
                body, delivery_mode=aio_pika.DeliveryMode.PERSISTENT, message_id=str(i)
            )
            await exchange.publish(message, routing_key=RAW_KEY, timeout=10)

        started = wall_timestamp()
        if rate is None:
            for window in range(0, events, 500):  # pipelined confirms, 500 in flight
                await asyncio.gather(
                    *(publish(i) for i in range(window, min(events, window + 500)))
                )
        else:
            await paced(events, rate, publish)
        latencies, last = await collect(consumer)
        await channel.queue_delete(name)
        await channel.exchange_delete(name)
        return events / (last - started), latencies
    finally:
        await connection.close()


async def pipeline_run(
    events: int,
    rate: float | None,
    db_url: str,
    *,
    backlog: bool = False,
    handler: str = "batch",
    traced: bool = False,
    sampled: float = 1.0,
) -> tuple[float, Latencies]:
    """``backlog``: the rows are written first, then relay and consumer drain them (the event
    pipeline's own capacity, as after an outage); otherwise writes and draining overlap.
    ``traced``: tracing on in every process (spans_nowhere), each write inside a span, keeping
    the ``sampled`` share of the traces (decided at the write, followed downstream)."""
    sampler = {"OTEL_TRACES_SAMPLER": "parentbased_traceidratio", "OTEL_TRACES_SAMPLER_ARG": ""}
    if traced:
        sampler["OTEL_TRACES_SAMPLER_ARG"] = str(sampled)
        os.environ.update(sampler)  # this process's provider and the children's
        os.environ[TRACED_ENV] = "1"  # the children's
        trace_to_nowhere("producer", force=True)
    try:
        return await _pipeline_run(events, rate, db_url, backlog=backlog, handler=handler)
    finally:
        if traced:
            for name in (TRACED_ENV, *sampler):
                os.environ.pop(name, None)
            provider = telemetry.provider()
            telemetry.install(None)
            if provider is not None:
                provider.shutdown()


async def _pipeline_run(
    events: int, rate: float | None, db_url: str, *, backlog: bool, handler: str
) -> tuple[float, Latencies]:
    db = Database(db_url, pool_size=50, max_overflow=0)
    async with db.engine.begin() as conn:
        await conn.execute(
            sa.text("TRUNCATE thing, effect, outbox_message, inbox_message, dead_letter")
        )
    namespace = unique_namespace()
    broker = RabbitBroker(services.RABBITMQ_URL, namespace=namespace)
    await broker.start()
    await broker.declare_queue(QueueSpec(name="bench", bindings=(toy.TOY_EVENT,)))

    async def write(i: int) -> None:
        thing_id = str(uuid4())
        event = Envelope(
            id=str(uuid4()),
            source="/cap/bench",
            type=toy.TOY_EVENT,
            time=wall_now(),
            subject=thing_id,
            data={"thing_id": thing_id, "n": i, "t": wall_timestamp()},
        )
        if not telemetry.enabled():
            async with db.session() as session:  # the API's business transaction
                await session.execute(THING_INSERT, {"id": thing_id, "n": i})
                await add_event(session, toy.tables.outbox, event)
            return
        with telemetry.tracer().start_as_current_span("POST /things", kind=SpanKind.SERVER):
            async with db.session() as session:  # the same, inside an API request's span
                await session.execute(THING_INSERT, {"id": thing_id, "n": i})
                await add_event(session, toy.tables.outbox, event)

    async def write_all() -> None:
        if rate is None:
            for window in range(0, events, 50):  # 50 concurrent API requests
                await asyncio.gather(*(write(i) for i in range(window, min(events, window + 50))))
        else:
            await paced(events, rate, write)

    if backlog:
        await write_all()
    consumer = await spawn("pipeline-consumer", namespace, db_url, str(events), handler)
    relay = await spawn("relay", namespace, db_url)
    # The clock starts once both processes are ready: their start-up (imports, connections,
    # about a second) is not the pipeline's throughput.
    started = wall_timestamp()
    meter = CpuMeter({"relay": relay.pid})
    try:
        if not backlog:
            await write_all()
        measured: dict[str, float] = {}
        latencies, last = await collect(
            consumer, lambda: measured.update(meter.per_event_ms(events))
        )
        LAST_CPU.clear()
        LAST_CPU.update(measured)
        # The consumer's CPU from when it was ready, as the relay's (it reports before exiting):
        # its start-up (imports, broker connection) is not the events'.
        LAST_CPU["consumer"] = CHILD_CPU["last"] * 1000 / events
    finally:
        relay.send_signal(signal.SIGTERM)
        await relay.wait()
        await cleanup_rabbit(broker)
        await db.dispose()
    return events / (last - started), latencies


def _cpu(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _pids(name: str, cmdline: str = "") -> list[int]:
    """Processes whose name starts with ``name`` (and whose command line holds ``cmdline``)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip().startswith(name) and (
                    not cmdline or cmdline.encode() in (entry / "cmdline").read_bytes()
                ):
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


class CpuMeter:
    """CPU seconds spent by this process, given children, PostgreSQL and RabbitMQ (Linux)."""

    def __init__(self, children: dict[str, int]) -> None:
        self.children = children
        self.before = self.read()

    def read(self) -> dict[str, float]:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        out = {"producer": usage.ru_utime + usage.ru_stime}
        out.update({name: _cpu(pid) for name, pid in self.children.items()})
        out["postgres"] = sum(_cpu(p) for p in _pids("postgres"))
        # This run's own backends (the database's name is in their process title): what the
        # machine-wide figure holds apart from the background processes and other users.
        out[OWN_BACKENDS] = sum(_cpu(p) for p in _pids("postgres", f" {DB_NAME} "))
        out["rabbitmq"] = sum(_cpu(p) for p in _pids("beam.smp"))
        return out

    def per_event_ms(self, events: int) -> dict[str, float]:
        after = self.read()
        return {k: (after[k] - self.before.get(k, 0.0)) * 1000 / events for k in after}


#: CpuMeter's key for the bench database's own backends: part of "postgres", not added to it.
OWN_BACKENDS = "postgres: its backends"


#: CPU milliseconds per event, by process, of the last pipeline run.
LAST_CPU: dict[str, float] = {}


def summarise(name: str, throughput: float, latencies: Latencies, warmup: int = 0) -> Result:
    """Throughput and latency percentiles, the first ``warmup`` events left out."""
    ms = [v * 1000 for n, v in latencies if n >= warmup]
    return Result(name, throughput, statistics.median(ms), percentile(ms, 99), max(ms))


async def main(args: argparse.Namespace) -> None:
    db_url = await services.recreate_database(DB_NAME)
    setup = Database(db_url)
    await create_schema(setup, None, toy.metadata)
    await setup.dispose()
    warm = int(args.rate * args.warmup)
    paced_events = warm + int(args.rate * args.seconds)
    if args.only == "latency":
        try:
            _, lat = await pipeline_run(paced_events, args.rate, db_url)
        finally:
            await services.drop_database(DB_NAME)
        r, cold = summarise("", 0, lat, warm), summarise("", 0, lat)
        print(
            f"pipeline at {args.rate:.0f}/s after {args.warmup:g} s of warm-up: p50 "
            f"{r.p50_ms:.1f} ms, p99 {r.p99_ms:.1f} ms, max {r.max_ms:.1f} ms (warm-up included: "
            f"p99 {cold.p99_ms:.1f} ms, max {cold.max_ms:.1f} ms)"
        )
        print(f"CPU ms per event: {_cpu_line(LAST_CPU)}; {_cpu_verdict(LAST_CPU)}")
        return
    if args.only == "tracing":
        try:
            await tracing_runs(args.events, db_url)
        finally:
            await services.drop_database(DB_NAME)
        return
    light = args.rate * 0.4  # well below saturation on a small machine
    light_warm = int(light * args.warmup)
    try:
        raw_tp, _ = await raw_run(args.events, None)
        _, raw_lat = await raw_run(paced_events, args.rate)
        drain_tp, _ = await pipeline_run(args.events, None, db_url, backlog=True)
        drain_single_tp, _ = await pipeline_run(
            args.events, None, db_url, backlog=True, handler="single"
        )
        pipe_tp, _ = await pipeline_run(args.events, None, db_url)
        pipe_cpu = dict(LAST_CPU)
        print_tracing(pipe_tp, pipe_cpu, *await traced_run(args.events, db_url))
        for sampled in (0.1, 0.01):
            print_tracing(
                pipe_tp, pipe_cpu, *await traced_run(args.events, db_url, sampled), sampled
            )
        _, pipe_lat = await pipeline_run(paced_events, args.rate, db_url)
        paced_cpu = dict(LAST_CPU)
        _, light_lat = await pipeline_run(light_warm + int(light * args.seconds), light, db_url)
    finally:
        await services.drop_database(DB_NAME)
    raw = summarise("baseline: raw aio-pika publish+confirm -> consume+ack", raw_tp, raw_lat, warm)
    pipe = summarise(
        "pipeline: write+outbox -> relay -> RabbitMQ -> inbox+effect", pipe_tp, pipe_lat, warm
    )
    cold = summarise("  same latency run, its warm-up second included", 0, pipe_lat)
    print(
        f"\nEvent pipeline benchmark ({os.cpu_count()} cores) — {args.events} events for "
        f"throughput; latency at {args.rate:.0f}/s over {args.seconds:g} s after {args.warmup:g} s "
        f"of warm-up ({warm} events at the same rate, not counted)\n"
    )
    print(f"{'':62} {'events/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    for r in (raw, pipe):
        print(f"{r.name:62} {r.throughput:9.0f} {r.p50_ms:8.1f} {r.p99_ms:8.1f} {r.max_ms:8.1f}")
    print(f"{cold.name:62} {'':9} {cold.p50_ms:8.1f} {cold.p99_ms:8.1f} {cold.max_ms:8.1f}")
    lt = summarise("", 0, light_lat, light_warm)
    print(
        f"{f'pipeline latency at {light:.0f}/s':62} {'':9} {lt.p50_ms:8.1f} {lt.p99_ms:8.1f} {lt.max_ms:8.1f}"
    )
    print(f"{'pipeline, backlog drained (relay -> RabbitMQ -> inbox+effect)':62} {drain_tp:9.0f}")
    print(f"{'  same, effect written by a per-event handler':62} {drain_single_tp:9.0f}")
    ratio = drain_tp / raw.throughput
    print(
        f"\nCPU ms per event, pipeline with its writes, as fast as the producer goes: {_cpu_line(pipe_cpu)}"
    )
    print(
        f"CPU ms per event, pipeline with its writes at {args.rate:.0f}/s (the issue's rate): "
        f"{_cpu_line(paced_cpu)}; {_cpu_verdict(paced_cpu)}"
    )
    print(
        f"throughput ratio pipeline (backlog)/baseline: {ratio:.2f} (target >= 0.50: {'met' if ratio >= 0.5 else 'NOT met'})"
    )
    print(
        f"throughput ratio pipeline (with its writes)/baseline: {pipe.throughput / raw.throughput:.2f}"
    )
    print(
        f"pipeline p99 at {args.rate:.0f}/s: {pipe.p99_ms:.1f} ms (target < 50 ms: {'met' if pipe.p99_ms < 50 else 'NOT met'}); "
        f"{cold.p99_ms:.1f} ms with the warm-up second"
    )
    if TRACING_LINES:
        print("\n" + "\n".join(TRACING_LINES))


#: The tracing comparison's lines, printed as soon as measured and again in the summary.
TRACING_LINES: list[str] = []


async def traced_run(
    events: int, db_url: str, sampled: float = 1.0
) -> tuple[float, dict[str, float]]:
    """The pipeline's throughput run (with its writes) with tracing on, keeping the ``sampled``
    share of the traces; its CPU per event."""
    throughput, _ = await pipeline_run(events, None, db_url, traced=True, sampled=sampled)
    return throughput, dict(LAST_CPU)


def print_tracing(
    off_tp: float,
    off_cpu: dict[str, float],
    on_tp: float,
    on_cpu: dict[str, float],
    sampled: float = 1.0,
) -> None:
    ours = ("producer", "relay", "consumer")
    cpu_ratio = sum(on_cpu.get(k, 0) for k in ours) / sum(off_cpu.get(k, 0) for k in ours)
    kept = "every trace kept" if sampled >= 1 else f"one trace in {round(1 / sampled)} kept"
    lines = [
        f"CPU ms per event, tracing on ({kept}):  {_cpu_line(on_cpu)}",
        f"tracing on / off, pipeline with its writes ({kept}, batched, OTLP-encoded, "
        f"dropped): time per event {off_tp / on_tp:.2f} ({off_tp:.0f} -> {on_tp:.0f} events/s), "
        f"producer+relay+consumer CPU per event {cpu_ratio:.2f} (target < 1.10)",
    ]
    if sampled >= 1:
        TRACING_LINES[:] = [f"CPU ms per event, tracing off: {_cpu_line(off_cpu)}"]
    TRACING_LINES.extend(lines)
    print("\n".join(lines if sampled < 1 else TRACING_LINES), flush=True)


async def tracing_runs(events: int, db_url: str, rounds: int = 3) -> None:
    """``--only tracing``: per round, the throughput run with tracing off twice and on keeping
    every trace, one in ten and one in a hundred, in a shuffled order; each ratio is taken to
    the same round's first "off" run, and the second "off" run's ratio is the measurement's own
    spread (about four minutes)."""
    ours = ("producer", "relay", "consumer")
    kinds: dict[str, float | None] = {
        "off": None, "off, again": None, "every trace": 1.0, "one in ten": 0.1,
        "one in a hundred": 0.01,
    }  # fmt: skip
    ratios: dict[str, list[float]] = {name: [] for name in kinds if name != "off"}
    order = list(kinds)
    for n in range(rounds):
        random.Random(n).shuffle(order)
        cpu: dict[str, float] = {}
        for name in order:
            sampled = kinds[name]
            if sampled is None:
                await pipeline_run(events, None, db_url)
            else:
                await traced_run(events, db_url, sampled)
            cpu[name] = sum(LAST_CPU.get(k, 0) for k in ours)
        for name in ratios:
            ratios[name].append(cpu[name] / cpu["off"])
        print(
            f"round {n + 1} ({', '.join(order)}): producer+relay+consumer CPU per event, "
            + ", ".join(f"{name} {cpu[name]:.2f} ms" for name in kinds),
            flush=True,
        )
    print("producer+relay+consumer CPU per event over tracing off's, median (range):")
    for name, found in ratios.items():
        target = "" if name == "off, again" else " (target < 1.10)"
        label = "tracing off again (the spread)" if name == "off, again" else f"{name} kept"
        print(
            f"  {label}: {statistics.median(found):.2f} ({min(found):.2f}-{max(found):.2f})"
            f"{target}",
            flush=True,
        )


#: Issue 22's target: CPU per event with its writes, every process of the pipeline (ms).
CPU_TARGET_MS = 1.5


def _cpu_total(cpu: dict[str, float]) -> float:
    return sum(v for k, v in cpu.items() if k != OWN_BACKENDS)


def _cpu_verdict(cpu: dict[str, float]) -> str:
    met = _cpu_total(cpu) <= CPU_TARGET_MS
    return f"target <= {CPU_TARGET_MS} ms: {'met' if met else 'NOT met'}"


def _cpu_line(cpu: dict[str, float]) -> str:
    parts = ", ".join(f"{k} {v:.2f}" for k, v in cpu.items() if k != OWN_BACKENDS)
    total = _cpu_total(cpu)
    own = f"; PostgreSQL's share, this run's backends only: {cpu[OWN_BACKENDS]:.2f}"
    return (
        f"{parts} (total {total:.2f}; 2 cores give 2,000 ms per second"
        f"{own if OWN_BACKENDS in cpu else ''})"
    )


def run_child(role: str, *params: str) -> None:
    tune_gc(DEPLOYED_GC)  # as the deployed worker and relay processes do (cap_shared.cli)
    trace_to_nowhere(role)  # a traced run's (BENCH_TRACED=1)
    if role == "raw-consumer":
        uvloop.run(child_raw_consumer(params[0], int(params[1])))
    elif role == "pipeline-consumer":
        uvloop.run(child_pipeline_consumer(params[0], params[1], int(params[2]), params[3]))
    elif role == "relay":
        uvloop.run(child_relay(params[0], params[1]))


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        run_child(*sys.argv[2:])
    else:
        parser = argparse.ArgumentParser(
            description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
        )
        parser.add_argument(
            "--events", type=int, default=5000, help="events in the throughput runs"
        )
        parser.add_argument(
            "--rate", type=float, default=500.0, help="events per second in the latency runs"
        )
        parser.add_argument(
            "--seconds", type=float, default=10.0, help="length of the latency runs"
        )
        parser.add_argument(
            "--warmup",
            type=float,
            default=1.0,
            help="seconds at the latency runs' rate before the measured ones (not counted)",
        )
        parser.add_argument(
            "--only",
            choices=["latency", "tracing"],
            help="run only the pipeline latency run, or the tracing on/off throughput runs",
        )
        arguments = parser.parse_args()
        tune_gc(DEPLOYED_GC)  # the producer stands for an API process, tuned the same way
        uvloop.run(main(arguments))
