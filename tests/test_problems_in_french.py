"""Every problem the platform answers can be said in French (``Accept-Language: fr``): each
ProblemError subclass has its own French title, and no raise passes an English detail without
its French one. Walks the classes (every package imported) and the source (AST)."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from cap_gateway.ratelimit import DETAILS_FR
from cap_shared.problems import ProblemError

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = (
    "cap_shared",
    "cap_gateway",
    "cap_diagnostic",
    "cap_audit",
    "cap_labelling",
    "cap_notifications",
)
SOURCES = [ROOT / "shared" / "src", ROOT / "gateway" / "src", *sorted(ROOT.glob("services/*/src"))]
#: Problems whose constructor takes no English detail but builds it (and its French) from
#: structured errors: ReferentialInvalid words the first FileError in both languages.
BUILDS_ITS_OWN_DETAIL = {"ReferentialInvalid"}


def _import_everything() -> None:
    for name in PACKAGES:
        package = importlib.import_module(name)
        for info in pkgutil.walk_packages(package.__path__, name + "."):
            if ".migrations." in info.name or info.name.endswith(".__main__"):
                continue
            importlib.import_module(info.name)


def _subclasses(cls: type[ProblemError]) -> Iterator[type[ProblemError]]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def problem_classes() -> list[type[ProblemError]]:
    _import_everything()
    found = {c for c in _subclasses(ProblemError) if c.__module__.startswith(PACKAGES)}
    return sorted(found, key=lambda c: (c.__module__, c.__qualname__))


def test_every_problem_class_has_its_own_french_title() -> None:
    classes = problem_classes()
    assert len(classes) > 60  # every service's problems were found
    missing = []
    for cls in classes:
        parent = next(b for b in cls.__mro__[1:] if issubclass(b, ProblemError))
        retitled = "title" in cls.__dict__ and cls.title != parent.title
        if retitled and "title_fr" not in cls.__dict__:
            missing.append(f"{cls.__module__}.{cls.__qualname__}: {cls.title!r}")
        elif not cls.title_fr.strip() or (cls.title_fr == cls.title and retitled):
            missing.append(f"{cls.__module__}.{cls.__qualname__}: title_fr {cls.title_fr!r}")
    assert not missing, "ProblemError subclasses without their own French title:\n" + "\n".join(
        missing
    )


def _called_name(node: ast.Call) -> str | None:
    if isinstance(node.func, ast.Name):
        return node.func.id
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    return None


def _keywords(node: ast.Call) -> set[str | None]:
    return {k.arg for k in node.keywords}


def _calls() -> Iterator[tuple[str, ast.Call]]:
    for root in SOURCES:
        for path in sorted(root.rglob("*.py")):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Call):
                    yield f"{path.relative_to(ROOT)}:{node.lineno}", node


def test_every_problem_raised_with_an_english_detail_has_its_french_one() -> None:
    classes = problem_classes()
    by_name = {cls.__name__: cls for cls in classes} | {"ProblemError": ProblemError}
    checked, missing = 0, []
    for where, call in _calls():
        name = _called_name(call)
        cls = by_name.get(name or "")
        if cls is None:
            continue
        english = bool(call.args) or "detail" in _keywords(call)
        if not english:
            continue  # the title says it all, in both languages
        if "detail_fr" not in inspect.signature(cls).parameters:
            assert name in BUILDS_ITS_OWN_DETAIL, f"{where}: {name} cannot take a detail_fr"
            continue
        checked += 1
        if "detail_fr" not in _keywords(call):
            missing.append(f"{where}: {name}(...)")
    assert checked > 200  # the walk did find the raises
    assert not missing, "problems raised without detail_fr:\n" + "\n".join(missing)


def test_direct_problem_answers_and_oauth_errors_are_worded_in_french() -> None:
    checked, missing = 0, []
    for where, call in _calls():
        name = _called_name(call)
        keywords = _keywords(call)
        if name == "problem_response" and "status" in keywords:  # not openapi's namesake
            checked += 1
            if "title_fr" not in keywords or ("detail" in keywords and "detail_fr" not in keywords):
                missing.append(f"{where}: problem_response without title_fr/detail_fr")
        elif name == "OAuthError":
            checked += 1
            if "description_fr" not in keywords:
                missing.append(f"{where}: OAuthError without description_fr")
        elif name == "check" and "detail" in keywords and "detail_fr" not in keywords:
            detail = next(k.value for k in call.keywords if k.arg == "detail")
            checked += 1
            if not (isinstance(detail, ast.Constant) and detail.value in DETAILS_FR):
                missing.append(f"{where}: rate limit detail without its French wording")
    assert checked > 15
    assert not missing, "\n".join(missing)


def test_field_errors_written_in_the_source_have_their_french_message() -> None:
    """An ``errors[]`` item a service writes (``{"field": ..., "message": "required"}``) says
    its French message too (``"message_fr"``), which French answers show instead."""
    checked, missing = 0, []
    for root in SOURCES:
        for path in sorted(root.rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not isinstance(node, ast.Dict):
                    continue
                keys = [k.value if isinstance(k, ast.Constant) else None for k in node.keys]
                if "field" not in keys or "message" not in keys:
                    continue
                if not isinstance(node.values[keys.index("message")], ast.Constant | ast.JoinedStr):
                    continue  # computed: a library's message, a pydantic error's
                checked += 1
                if "message_fr" not in keys:
                    missing.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert checked > 20
    assert not missing, "field errors without message_fr:\n" + "\n".join(missing)


def test_a_problem_without_detail_fr_fails_the_walk() -> None:
    """The rule the walk applies recognises a forgotten French detail."""
    source = 'raise NotFound("no such thing")\nraise NotFound("x", detail_fr="y")\n'
    calls = [n for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Call)]
    assert ["detail_fr" in _keywords(c) for c in calls] == [False, True]


@pytest.mark.parametrize("cls", problem_classes(), ids=lambda c: f"{c.__module__}.{c.__name__}")
def test_french_titles_are_french_sentences(cls: type[ProblemError]) -> None:
    # Capitalised like the English title, no trailing full stop, typographic French spacing
    # before a colon if any.
    assert cls.title_fr[0].isupper(), cls.title_fr
    assert not cls.title_fr.endswith("."), cls.title_fr
    assert ":" not in cls.title_fr or " :" in cls.title_fr, cls.title_fr


def test_the_french_tables_of_validators_cover_every_english_message() -> None:
    """SIRET and decision validators word their refusals from tables: none is left out."""
    from cap_audit.decisions.rules import DECISION_GAPS_FR, decision_gaps
    from cap_gateway.identity.siret import SIRET_PROBLEMS_FR, siret_problem

    sirets = ["123", "7328293200007A", "73282932000075", "73282932100074", "35600000000049"]
    problems = {siret_problem(s) for s in sirets}
    assert problems == set(SIRET_PROBLEMS_FR)
    gaps = {
        gap
        for outcome in ("granted", "refused")
        for number in (None, "FR-1")
        for reason in (None, "motif")
        for gap in decision_gaps(outcome, number, reason)
    }
    assert gaps == set(DECISION_GAPS_FR)
