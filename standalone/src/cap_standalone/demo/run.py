"""One run of the demo: what it was asked to load, what it learnt on the way (ids, actors,
counts, links), and where it tells its progress."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from cap_standalone.demo.client import Actor, Api
from cap_standalone.demo.network import Person, Structure


class Reporter(Protocol):
    """Where the loader tells its progress (a progress bar, or nothing)."""

    def start(self, total: int) -> None:
        """The number of steps to come."""

    def step(self, description: str, advance: int = 1) -> None:
        """A step is done (``advance`` 0: only the description changes)."""


class Silent:
    """No progress shown."""

    def start(self, total: int) -> None:
        """Nothing to show."""

    def step(self, description: str, advance: int = 1) -> None:
        """Nothing to show."""


@dataclass
class Account:
    """A demo account as the summary shows it."""

    person: Person
    scope: str
    created: bool


@dataclass
class DemoRun:
    """The state of one run, shared by its steps (:mod:`cap_standalone.demo.steps`)."""

    api: Api
    structures: tuple[Structure, ...]
    admin: Actor
    #: The demo accounts' password.
    password: str
    #: How long to wait for what a service learns by event (seconds).
    timeout: float
    reporter: Reporter = field(default_factory=Silent)
    #: The platform's date (its labelling service's clock), read once signed in.
    today: date = date.min
    actors: dict[str, Actor] = field(default_factory=dict)
    user_ids: dict[str, str] = field(default_factory=dict)
    accounts: list[Account] = field(default_factory=list)
    org_ids: dict[int, str] = field(default_factory=dict)
    created: dict[str, int] = field(
        default_factory=lambda: {
            "organisations": 0,
            "accounts": 0,
            "diagnostics": 0,
            "recognitions": 0,
            "applications": 0,
        }
    )
    links: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    auditor_id: str = ""
