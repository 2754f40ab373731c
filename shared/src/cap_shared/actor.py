"""Who is acting when no request says so: an event handler or a periodic job.

The event consumer runs each handler as ``service:<name>`` with the id of the event it consumes;
the job runner runs each job as ``job:<name>``. The audit trail (:mod:`cap_shared.audit`) reads
this first, then the request's verified principal. Dependency-free on purpose: the consumer and
the job runner import it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Actor:
    """Who does a change: ``user:<id>``, ``client:<id>``, ``service:<name>``, ``job:<name>``,
    ``system``, and what kind of actor it is."""

    id: str
    kind: str
    #: The OAuth client the request came through (requests only).
    client_id: str | None = None
    #: The event being handled when the change is made (event handlers only).
    consumed_event_id: str | None = None


#: The actor of an event handler or a job (None: read the request's principal, or the system).
_actor: ContextVar[Actor | None] = ContextVar("cap_actor", default=None)


def explicit_actor() -> Actor | None:
    """The actor set by :func:`acting_as` around the running code, if any."""
    return _actor.get()


@contextmanager
def acting_as(actor: Actor) -> Iterator[None]:
    """Run the block as ``actor`` (restored afterwards)."""
    token = _actor.set(actor)
    try:
        yield
    finally:
        _actor.reset(token)


def handling_event(service: str, event_id: str | None) -> Actor:
    """The actor of a handler of ``service`` consuming the event ``event_id``."""
    return Actor(id=f"service:{service}", kind="service", consumed_event_id=event_id)


def running_job(name: str) -> Actor:
    """The actor of the periodic job ``name``."""
    return Actor(id=f"job:{name}", kind="job")
