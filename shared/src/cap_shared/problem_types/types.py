"""The problem types: what each code means, its status and titles, the classes that raise it."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from cap_shared.problems import (
    HTTP_TITLES_FR,
    PROBLEM_TYPE_BASE,
    ProblemError,
)

#: Where the catalogue is in a document: ``components["x-problem-types"]``; and on a response.
EXTENSION = "x-problem-types"
#: A local name or attribute whose class is outside the packages (a session, a client).
EXTERNAL = "<external>"
#: Methods of builtin containers and strings: on an object of unknown class, one of these is
#: taken to be the builtin's (``mapping.get(key)``), not every method of that name.
BUILTIN_METHODS = frozenset(
    name for kind in (dict, list, set, str, bytes) for name in dir(kind) if not name.startswith("_")
)


@dataclass(frozen=True)
class ProblemType:
    """One problem type: its code (the last segment of its ``type`` URI) and what it says."""

    code: str
    status: int
    title: str
    title_fr: str
    description: str

    @property
    def uri(self) -> str:
        """The ``type`` member of the problems of this type."""
        return PROBLEM_TYPE_BASE + self.code

    def entry(self) -> dict[str, Any]:
        """The catalogue entry (without ``operations``, filled in per document)."""
        return {
            "type": self.uri,
            "code": self.code,
            "status": self.status,
            "title": self.title,
            "title_fr": self.title_fr,
            "description": self.description,
        }

    @classmethod
    def of(cls, error: type[ProblemError]) -> ProblemType:
        """The type a :class:`ProblemError` class answers."""
        own = error.__dict__.get("__doc__")  # its own, not a base class's
        doc = inspect.cleandoc(own) if own else error.title + "."
        return cls(
            code=error.code,
            status=error.status,
            title=error.title,
            title_fr=error.title_fr,
            description=" ".join(doc.split("\n\n")[0].split()),
        )


def _http(status: int, description: str) -> ProblemType:
    """What the framework answers for a bare HTTP error (unknown path, method not allowed)."""
    phrase = HTTPStatus(status).phrase
    return ProblemType(
        phrase.lower().replace(" ", "-"),
        status,
        phrase,
        HTTP_TITLES_FR.get(status, phrase),
        description,
    )


#: What codes answered by a direct ``problem_response(code=..., status=...)`` mean (their titles
#: are read from the call itself).
MEANINGS = {
    "validation-error": "A field of the request is missing or invalid; `errors[]` names each "
    "one (`field`: where, as `body.siret` or `query.limit`; `message`: why).",
    "internal-error": "An unexpected error, logged with the request id; nothing of it is shown.",
    "dependency-unavailable": "A database or service this request needs is unreachable; try "
    "again after `Retry-After` seconds.",
    "not-ready": "A dependency of this process (database, broker) is unavailable; `checks` "
    "says which.",
    "bad-gateway": "The service behind the gateway failed to answer this request.",
    "upstream-timeout": "The service behind the gateway did not answer in time.",
    "upstream-unavailable": "The service behind the gateway is unreachable; try again after "
    "`Retry-After` seconds.",
}
#: What the framework answers by itself (a path no route has, a method a path does not take).
FRAMEWORK = (
    _http(404, "No route has this path."),
    _http(405, "The path exists, but not with this method."),
)
#: Which codes each error status carries when nothing more precise is known (the statuses
#: :mod:`cap_shared.openapi` derives from a route's dependencies and parameters).
DEFAULT_CODES: dict[int, tuple[str, ...]] = {
    400: ("bad-request",),
    401: ("unauthorized",),
    403: ("forbidden",),
    404: ("not-found",),
    405: ("method-not-allowed",),
    409: ("conflict",),
    412: ("precondition-failed",),
    413: ("payload-too-large",),
    415: ("unsupported-media-type",),
    422: ("validation-error",),
    428: ("precondition-required",),
    429: ("too-many-requests",),
    500: ("internal-error",),
    502: ("bad-gateway",),
    503: ("dependency-unavailable",),
    504: ("upstream-timeout",),
}


def problem_classes(packages: Iterable[str]) -> list[type[ProblemError]]:
    """Every :class:`ProblemError` class defined in ``packages`` (imported to be found),
    ``ProblemError`` itself included, in a stable order."""
    names = tuple(packages)
    for module in modules_of(names):
        importlib.import_module(module)

    def walk(cls: type[ProblemError]) -> Iterator[type[ProblemError]]:
        yield cls
        for sub in cls.__subclasses__():
            yield from walk(sub)

    found = {c for c in walk(ProblemError) if c.__module__.split(".")[0] in names}
    return sorted(found, key=lambda c: (c.__module__, c.__qualname__))


def modules_of(packages: Iterable[str]) -> list[str]:
    """The modules of ``packages``, migrations and test helpers left out."""
    out = []
    for package in packages:
        root = importlib.import_module(package)
        out.append(package)
        for info in pkgutil.walk_packages(root.__path__, package + "."):
            if ".migrations" in info.name or ".testing" in info.name:
                continue
            out.append(info.name)
    return sorted(out)
