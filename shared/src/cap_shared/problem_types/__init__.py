"""The catalogue of problem types, and which operations answer each (RFC 9457 §4).

Every error leaves an app as problem details whose ``type`` is
``https://cap.coorace.org/problems/<code>``. The catalogue says, for each code, its HTTP
status, its titles (English and French), what it means (the class docstring) and which
operations answer it. It is derived, never written by hand:

* the types are the :class:`~cap_shared.problems.ProblemError` classes of the app's packages
  (its own and ``cap_shared``), plus what the handlers of :mod:`cap_shared.problems` answer by
  themselves (:data:`FRAMEWORK`) and what a package declares for codes it builds at run time
  (the gateway's OAuth errors, its edge);
* which operation answers which type comes from a static call graph (:class:`CallGraph`): from
  each route's endpoint and dependencies, through every function of the app's packages it can
  reach, to each place a problem class is built (``raise NotFound(...)``, ``return cls(...)``)
  or a ``problem_response(code=..., status=...)`` is answered. Where the receiver of a method
  call is unknown, every method of that name in the packages is taken: the list is what an
  operation *may* answer, never less.

Each operation's error responses name their codes (``x-problem-types``) and the document's
components carry the catalogue (``x-problem-types``: code -> entry, its ``operations`` the
operation ids answering it). A status a route can answer but does not declare is declared.
"""

from cap_shared.problem_types.callgraph import (
    DECLARED,
    FACTORIES,
    CallGraph,
    Factory,
    call_graph,
)
from cap_shared.problem_types.document import (
    annotate,
    catalogue,
    describe_problems,
    operations,
    packages_of,
    publish,
    route_problems,
)
from cap_shared.problem_types.types import (
    DEFAULT_CODES,
    EXTENSION,
    FRAMEWORK,
    MEANINGS,
    ProblemType,
    problem_classes,
)

__all__ = [
    "DECLARED",
    "DEFAULT_CODES",
    "EXTENSION",
    "FACTORIES",
    "FRAMEWORK",
    "MEANINGS",
    "CallGraph",
    "Factory",
    "ProblemType",
    "annotate",
    "call_graph",
    "catalogue",
    "describe_problems",
    "operations",
    "packages_of",
    "problem_classes",
    "publish",
    "route_problems",
]
