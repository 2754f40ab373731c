"""Where an event's time goes, hop by hop, from the API call to the person's live stream
(``bench_journey.py --hops``).

Tracing is on in every process of the platform, exported over OTLP/HTTP to a receiver this
process runs (:class:`cap_shared.testing.otlp.OtlpReceiver`). Each API call causing a timed
event carries a ``traceparent`` of its own, so the gateway's and the service's SERVER spans, the
SQL statements, the relay's ``<event> publish`` span (and, by its link, the relay's pass), the
notifications worker's ``<event> process`` span and its SQL all land in one trace the bench
knows. With the call's start and the live stream's arrivals, timed here on the same wall clock
(one machine), they give each hop:

* call -> gateway: the client and the connection, until the gateway's SERVER span starts;
* gateway -> service: the gateway's edge (token, limits) and its proxy, until the service's
  SERVER span starts;
* service: the service's request until its outbox INSERT (the business transaction's work);
* outbox INSERT -> relay pass: the rest of the transaction, COMMIT, NOTIFY, the relay's wake-up
  and its linger (the pass's span starts once the linger is over);
* relay pass -> publish: the pass's advisory lock and SELECT;
* publish -> confirm: the broker's publisher confirm (quorum queue);
* publish -> delivery: until the consumer's CONSUMER span starts (the broker's delivery);
* delivery -> first SQL: parsing, the micro-batch's linger, the pool checkout and BEGIN;
* first SQL -> committed: claim, handler, COMMIT (the CONSUMER span's end: its transaction
  committed);
* committed -> on the stream: NOTIFY ``cap_feed``, the stream's wake-up (and its read, when
  the NOTIFY does not carry the notification), the SSE frame, the client's read (the
  notifications service's API process, directly);
* through the gateway: the same arrival, read through the gateway, minus the direct one.

Tracing costs CPU (about 50 µs a span): the hops' sum is a little above the untraced figures;
run it one structure at a time (``--users 1``) for the breakdown at low load.
"""

from __future__ import annotations

import dataclasses
import json
import os
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from cap_shared.clock import wall_timestamp
from cap_shared.testing.otlp import OtlpReceiver, ReceivedSpan, descendants

#: Every part whose processes trace.
PARTS = ("gateway", "diagnostic", "audit", "labelling", "notifications")


@dataclass
class Caused:
    """One API call causing a timed event, on the wall clock (ns)."""

    event_type: str
    trace_id: str
    called: int
    answered: int = 0
    sse: int = 0
    sse_gateway: int = 0


@dataclass
class Hops:
    receiver: OtlpReceiver = field(default_factory=OtlpReceiver)
    caused: list[Caused] = field(default_factory=list)
    counting: bool = False
    #: wall ns = perf_counter ns + offset (both clocks of this machine).
    offset: int = field(
        default_factory=lambda: round(wall_timestamp() * 1e9) - time.perf_counter_ns()
    )

    def start(self) -> None:
        """Serve the receiver; the platform's processes, started after, export to it."""
        self.receiver.start()
        os.environ.update(
            {
                "OTEL_TRACES_EXPORTER": "otlp",
                "OTEL_EXPORTER_OTLP_ENDPOINT": self.receiver.endpoint,
                "OTEL_BSP_SCHEDULE_DELAY": "200",
            }
        )
        os.environ.pop("OTEL_SDK_DISABLED", None)

    def stop(self) -> None:
        self.receiver.stop()

    @staticmethod
    def settings() -> dict[str, dict[str, Any]]:
        return {part: {"telemetry_enabled": True} for part in PARTS}

    def wall(self, perf: float) -> int:
        return round(perf * 1e9) + self.offset

    def new(self, event_types: list[str]) -> tuple[list[Caused], dict[str, str]]:
        """A trace of its own for the call causing ``event_types``: their records (``called``
        set by the caller) and the call's header."""
        trace_id = secrets.token_hex(16)
        caused = [Caused(event_type, trace_id, 0) for event_type in event_types]
        if self.counting:
            self.caused.extend(caused)
        return caused, {"traceparent": f"00-{trace_id}-{secrets.token_hex(8)}-01"}

    # the breakdown -----------------------------------------------------------------------------
    def breakdown(self) -> dict[str, list[float]]:
        """Milliseconds per hop over the one-hop events (see the module's docstring)."""
        spans = self.receiver.spans()
        by_trace: dict[str, list[ReceivedSpan]] = {}
        for span in spans:
            by_trace.setdefault(span.trace_id, []).append(span)
        by_id = {span.span_id: span for span in spans}
        hops: dict[str, list[float]] = {}
        for caused in self.caused:
            found = _hops(caused, by_trace.get(caused.trace_id, []), by_id)
            for name, ns in found.items():
                hops.setdefault(name, []).append(ns / 1e6)
        return hops


def _hops(
    caused: Caused, trace: list[ReceivedSpan], by_id: dict[str, ReceivedSpan]
) -> dict[str, float]:
    kind = caused.event_type
    publish = [s for s in trace if s.name == f"{kind} publish"]
    process = [s for s in trace if s.name == f"{kind} process" and s.service == "notifications"]
    if len(publish) != 1 or not process:
        return {}
    (publish_span,) = publish
    producer = publish_span.service
    gateway = [s for s in trace if s.service == "gateway" and s.kind == "SERVER"]
    server = [s for s in trace if s.service == producer and s.kind == "SERVER"]
    if not gateway or not server:
        return {}
    # The request's own outbox INSERTs: the consumers' transactions downstream descend from the
    # request's span too (through the envelope's traceparent), and write outbox rows of theirs.
    inserts = [
        s
        for s in descendants(trace, server[0])
        if s.kind == "CLIENT"
        and s.service == producer
        and s.end_ns <= server[0].end_ns
        and str(s.attributes.get("db.statement", "")).lstrip().upper().startswith("INSERT")
        and "outbox_message" in str(s.attributes.get("db.statement", ""))
    ]
    passes = [by_id[span_id] for _, span_id in publish_span.links if span_id in by_id]
    if not inserts or not passes:
        return {}
    consumed = process[0]
    sql = [s for s in descendants(trace, consumed) if s.kind == "CLIENT"]
    first_sql = min((s.start_ns for s in sql), default=consumed.end_ns)
    hops = {
        "call -> gateway": gateway[0].start_ns - caused.called,
        "gateway -> service": server[0].start_ns - gateway[0].start_ns,
        "service -> its outbox INSERT": max(s.end_ns for s in inserts) - server[0].start_ns,
        "outbox INSERT -> relay pass (commit, NOTIFY, wake-up, linger)": passes[0].start_ns
        - max(s.end_ns for s in inserts),
        "relay pass -> publish (lock, SELECT)": publish_span.start_ns - passes[0].start_ns,
        "publish -> confirm": publish_span.end_ns - publish_span.start_ns,
        "publish -> delivery to the worker": consumed.start_ns - publish_span.start_ns,
        "delivery -> first SQL (parse, linger, BEGIN)": first_sql - consumed.start_ns,
        "first SQL -> committed (claim, handler, COMMIT)": consumed.end_ns - first_sql,
        "committed -> on the live stream (NOTIFY, read, SSE)": caused.sse - consumed.end_ns,
        "through the gateway, more": caused.sse_gateway - caused.sse,
        "call -> on the live stream (the whole)": caused.sse - caused.called,
        "the service answered -> the call answered": caused.answered - server[0].end_ns,
    }
    return {name: float(ns) for name, ns in hops.items()}


def dump(hops: Hops, path: str) -> None:
    """Write every span received and the timed calls to ``path`` (JSON lines), to study a hop
    offline (``CAP_HOPS_DUMP=<path>``)."""
    with open(path, "w", encoding="utf-8") as out:
        for caused in hops.caused:
            out.write(json.dumps({"caused": dataclasses.asdict(caused)}) + "\n")
        for span in hops.receiver.spans():
            row = dataclasses.asdict(span)
            row["attributes"] = {k: str(v) for k, v in span.attributes.items()}
            row.pop("resource", None)
            out.write(json.dumps({"span": row}) + "\n")


def report(hops: Hops) -> None:
    """Print the breakdown (p50, p90, max per hop)."""
    if os.environ.get("CAP_HOPS_DUMP"):
        dump(hops, os.environ["CAP_HOPS_DUMP"])
    table = hops.breakdown()
    n = len(next(iter(table.values()), []))
    print(
        f"\nWhere an event's time goes (traced, one-hop events, n {n} of {len(hops.caused)}; "
        "ms; hops overlap where the broker confirms and delivers at once)"
    )
    print(f"  {'hop':<64} {'p50':>7} {'p90':>7} {'max':>7}")
    for name, values in table.items():
        ordered = sorted(values)
        p50 = ordered[len(ordered) // 2]
        p90 = ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]
        print(f"  {name:<64} {p50:7.1f} {p90:7.1f} {ordered[-1]:7.1f}")
