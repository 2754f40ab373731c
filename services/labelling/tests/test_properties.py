"""Property-based tests (Hypothesis) of what the labelling service takes from outside: CSV imports
of existing recognitions, level rule files, and the public registry's ETag (issue 15).

Properties: a file is read or refused with the documented 422, never another exception; a line
written as CSV reads back as the same; importing a file twice gives the same answer and writes
once, and a dry run foretells the import; a rule file is a rule or a 422, an exported rule
imports as the same, and the level a rule computes never goes down when scores go up; an ETag
changes exactly when the body does and If-None-Match matches exactly the listed tags.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import string
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import yaml
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from cap_labelling.imports import rules as importer
from cap_labelling.level_rules import rules as level_rule
from cap_labelling.level_rules import service as rulebook
from cap_labelling.level_rules.rules import LevelRule
from cap_labelling.registry import service as registry
from cap_labelling.rules import RecognitionStatus, Scheme

from .conftest import Service

PURE = settings(max_examples=60, deadline=None)
API = settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
LEVELS = ["Initial", "Progression", "Confirmé", "Exemplaire"]
TODAY = date(2026, 11, 20)
#: Control characters: C0 but tab and line breaks, DEL, C1.
CONTROL = "".join(chr(c) for c in (*range(0x20), *range(0x7F, 0xA0)) if chr(c) not in "\t\n\r")


# CSV imports --------------------------------------------------------------------------------------
def read(content: bytes) -> list[tuple[importer.Line | None, list[importer.RowError]]]:
    """Every line of a file as the import checks it on its own, or the documented 422."""
    try:
        header, rows = importer._rows(importer._decode(content))
    except importer.ImportFileInvalid as refused:
        invalid = refused
    else:
        return [
            importer._parse(line, dict(zip(header, values, strict=True)), LEVELS, TODAY)
            for line, values in rows
            if len(values) == len(header)
        ]
    assert invalid.status == 422
    return []


def csv_file(header: list[str], rows: list[list[str]], delimiter: str, bom: bool) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return (("\ufeff" if bom else "") + buffer.getvalue()).encode()


cells = st.text(max_size=30) | st.sampled_from(["", "2025-02-30", "31/12/0000", "actif", "CAP_RSE"])


@PURE
@given(
    content=st.binary(max_size=300)
    | st.text(max_size=300).map(str.encode)
    | st.lists(st.lists(cells, max_size=13), max_size=4).map(
        lambda rows: csv_file(list(importer.COLUMNS), rows, ";", False)
    ),
)
@example(content=b'numero;siret\r\n"unclosed')
@example(content=("numero;" * 10).encode() + b"\r\n" + b"x" * 200_000)
@example(content=b"\xef\xbb\xbf")
def test_any_file_is_read_line_by_line_or_a_422(content: bytes) -> None:
    for parsed, errors in read(content):
        assert (parsed is None) == bool(errors)
        assert all(e.column is None or e.column in importer.COLUMNS for e in errors)


def column_name(key: str) -> st.SearchStrategy[str]:
    """How a spreadsheet may spell a column: case, accents, spaces or hyphens."""
    spelled = st.sampled_from([key, key.replace("_", " "), key.replace("_", "-")])
    accented = spelled.map(
        lambda name: name.replace("numero", "numéro").replace("perimetre", "périmètre")
    )
    return (spelled | accented).flatmap(
        lambda name: st.sampled_from([name, name.upper(), name.title(), f" {name} "])
    )


@st.composite
def lines(draw: st.DrawFn) -> dict[str, Any]:
    """A line the import accepts on its own (the structures are checked later, in the database)."""
    scheme = draw(st.sampled_from(list(Scheme)))
    decided = draw(st.dates(min_value=date(2015, 1, 1), max_value=TODAY))
    effective = decided + timedelta(days=draw(st.integers(0, 30)))
    expiry = effective + timedelta(days=draw(st.integers(1, 4 * 365)))
    in_force = [RecognitionStatus.ACTIVE, RecognitionStatus.SUSPENDED]
    ended = [RecognitionStatus.WITHDRAWN] + ([RecognitionStatus.EXPIRED] if expiry < TODAY else [])
    status = draw(st.sampled_from(ended + (in_force if expiry >= TODAY else [])))
    text = st.text(st.characters(exclude_characters=CONTROL, exclude_categories=("Cs",)))
    return {
        "numero": draw(st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._/\-]{0,30}", fullmatch=True)),
        "siret": draw(st.from_regex(r"[0-9]{14}", fullmatch=True)),
        "scheme": scheme,
        "level": draw(st.sampled_from(LEVELS)) if scheme is Scheme.CAP_RSE else None,
        "body": draw(st.from_regex(r"[a-z0-9][a-z0-9\-]{0,20}", fullmatch=True))
        if scheme is Scheme.CAP_ISO9001
        else draw(st.none() | st.just("sgs-tuv")),
        "external": draw(st.none() | text.map(str.strip).filter(bool).map(lambda s: s[:60])),
        "scope": draw(text.map(str.strip).map(lambda s: s[:2000]).filter(bool))
        if scheme is Scheme.CAP_ISO9001
        else draw(text.map(str.strip)),
        "dates": (decided, effective, expiry),
        "status": status,
        "french": draw(st.booleans()),
    }


STATUS_WORDS = {
    RecognitionStatus.ACTIVE: ["actif", "Active", "ACTIF"],
    RecognitionStatus.SUSPENDED: ["suspendu", "Suspendue", "suspended"],
    RecognitionStatus.WITHDRAWN: ["retiré", "Retirée", "withdrawn"],
    RecognitionStatus.EXPIRED: ["expiré", "Expirée", "expired"],
}
SCHEME_WORDS = {
    Scheme.CAP_RSE: ["CAP_RSE", "cap rse", "CAP-RSE"],
    Scheme.CAP_ISO9001: ["CAP_ISO9001", "CEDRE ISO 9001", "cedre_iso9001"],
}


def row_of(line: dict[str, Any], word: int) -> dict[str, str]:
    decided, effective, expiry = line["dates"]
    when = (lambda d: d.strftime("%d/%m/%Y")) if line["french"] else date.isoformat
    return {
        "numero": line["numero"],
        "siret": line["siret"],
        "dispositif": SCHEME_WORDS[line["scheme"]][word],
        "niveau": line["level"] or "",
        "organisme": line["body"] or "",
        "numero_organisme": line["external"] or "",
        "perimetre": line["scope"],
        "date_decision": when(decided),
        "date_effet": when(effective),
        "date_expiration": when(expiry),
        "statut": STATUS_WORDS[line["status"]][word],
        "membres_siret": "",
    }


@PURE
@given(
    written=st.lists(lines(), min_size=1, max_size=4),
    order=st.permutations(list(importer.COLUMNS)),
    names=st.fixed_dictionaries({key: column_name(key) for key in importer.COLUMNS}),
    delimiter=st.sampled_from([";", ","]),
    bom=st.booleans(),
    word=st.integers(0, 2),
)
def test_a_line_written_as_csv_reads_back_as_the_same(
    written: list[dict[str, Any]],
    order: list[str],
    names: dict[str, str],
    delimiter: str,
    bom: bool,
    word: int,
) -> None:
    rows = [row_of(line, word) for line in written]
    content = csv_file(
        [names[c] for c in order], [[r[c] for c in order] for r in rows], delimiter, bom
    )
    read_back = read(content)
    assert len(read_back) == len(written)
    for line, (parsed, errors) in zip(written, read_back, strict=True):
        assert errors == []
        assert parsed is not None
        assert (parsed.numero, parsed.siret, parsed.scheme, parsed.level, parsed.body) == (
            line["numero"],
            line["siret"],
            line["scheme"],
            line["level"],
            line["body"],
        )
        assert (parsed.external_number, parsed.scope, parsed.status) == (
            line["external"],
            line["scope"],
            line["status"],
        )
        assert (parsed.decided_on, parsed.effective_date, parsed.expiry_date) == line["dates"]


@st.composite
def import_files(draw: st.DrawFn, sirets: list[str]) -> bytes:
    """One to three lines for the registered structures (some then rejected by the database)."""
    rows = []
    for line in draw(st.lists(lines(), min_size=1, max_size=3)):
        line["siret"] = draw(st.sampled_from(sirets))
        rows.append(row_of(line, 0))
    header = list(importer.COLUMNS)
    return csv_file(header, [[r[c] for c in header] for r in rows], ";", True)


@API
@given(data=st.data())
async def test_importing_a_file_twice_answers_the_same_and_writes_once(
    service: Service, data: st.DataObject
) -> None:
    service.runtime.clock.set(datetime.combine(TODAY, time(10), tzinfo=UTC))
    sirets = sorted(o.siret for o in service.organisations.values())
    content = data.draw(import_files(sirets))

    async def upload(dry_run: bool) -> Any:
        return await service.client.post(
            "/v1/recognitions/imports",
            files={"file": ("reprise.csv", content, "text/csv")},
            params={"dry_run": str(dry_run).lower()},
            headers=service.admin,
        )

    foretold = await upload(dry_run=True)
    first = await upload(dry_run=False)
    again = await upload(dry_run=False)
    assert foretold.status_code == 200, foretold.text
    assert first.status_code in (200, 422), first.text
    report = first.json() if first.status_code == 200 else first.json()["report"]
    event(f"{first.status_code}: {report['imported']} imported, {report['rejected']} rejected")
    # The dry run foretold it: the same lines rejected for the same reasons, the same to import.
    assert foretold.json()["errors"] == report["errors"]
    assert foretold.json()["to_import"] == report["to_import"]
    assert again.status_code == first.status_code
    second = again.json() if again.status_code == 200 else again.json()["report"]
    if first.status_code == 422:
        assert second["errors"] == report["errors"]
    else:  # written once: the same file again imports nothing more
        assert (second["imported"], second["unchanged"]) == (0, report["rows"])


# level rules --------------------------------------------------------------------------------------
SHIPPED = yaml.safe_load(level_rule.shipped()[0][1])


def paths(node: Any, here: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [here] if here else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += paths(value, (*here, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += paths(value, (*here, i))
    return found


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner),
    max_leaves=8,
)


@st.composite
def rule_files(draw: st.DrawFn) -> bytes:
    """The shipped rule with one to three places replaced or removed, as YAML or JSON."""
    document = copy.deepcopy(SHIPPED)
    for _ in range(draw(st.integers(1, 3))):
        where = draw(st.sampled_from(paths(document) or [("rule",)]))
        parent: Any = document
        for part in where[:-1]:
            parent = parent[part]
        if draw(st.booleans()) and isinstance(parent, dict):
            parent.pop(where[-1], None)
        else:
            parent[where[-1]] = draw(json_values | st.text())
    if draw(st.booleans()):
        return json.dumps(document).encode()
    return yaml.safe_dump(document, allow_unicode=True).encode()


def with_subjects(subjects: list[str], name: str = "Confirmé") -> dict[str, Any]:
    """The shipped rule on other core subjects (each level's minimum the same for all)."""
    document = copy.deepcopy(SHIPPED)
    document["core_subjects"] = subjects
    for level in document["levels"]:
        level.pop("core_subject_minimums", None)
    document["levels"][2]["name"] = name
    return document


def validated(content: bytes) -> LevelRule | None:
    try:
        return rulebook.validate(content, code="CAP_RSE", version=1)
    except rulebook.LevelRuleInvalid as refused:
        invalid = refused
    assert invalid.status == 422
    return None


def texts(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [s for k, v in node.items() for s in (str(k), *texts(v))]
    if isinstance(node, list):
        return [s for v in node for s in texts(v)]
    return [node] if isinstance(node, str) else []


@PURE
@given(content=rule_files() | st.binary(max_size=200))
@example(content=b"[" * 100_000 + b"]" * 100_000)
@example(content=json.dumps(with_subjects(["6.2\u0000"])).encode())
@example(content=json.dumps(with_subjects(["6.2\u0085"])).encode())
@example(content=json.dumps(with_subjects(["6.2"], name="Confirmé\u0085")).encode())
def test_any_rule_file_is_a_rule_or_a_422_and_what_is_kept_is_storable(content: bytes) -> None:
    rule = validated(content)
    if rule is not None:
        for text in texts(rule.model_dump(mode="json")):
            assert not set(text) & set(CONTROL), repr(text)


#: Names and core subjects an author may write: printable, YAML's special characters included.
names = st.text(
    st.characters(exclude_characters=CONTROL + "\t\n\r<>", exclude_categories=("Cs",)),
    min_size=1,
    max_size=30,
)


@PURE
@given(
    level_names=st.lists(names, min_size=4, max_size=4, unique=True),
    subjects=st.lists(
        st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._\-]{0,19}", fullmatch=True),
        min_size=1,
        max_size=4,
        unique=True,
    ),
    as_json=st.booleans(),
)
@example(level_names=["yes", "null", "~", "- x"], subjects=["6.2"], as_json=False)
def test_an_exported_rule_imports_as_the_same(
    level_names: list[str], subjects: list[str], as_json: bool
) -> None:
    document = copy.deepcopy(SHIPPED)
    for level, name in zip(document["levels"], level_names, strict=True):
        level["name"] = name
        level["core_subject_minimums"] = {subjects[0]: level["core_subject_minimum"]}
    document["core_subjects"] = subjects
    document["label_from"] = level_names[1]
    document["core_criteria"]["caps"][0]["at_most"] = level_names[1]
    rule = LevelRule.model_validate(document)
    stored = rulebook._document(rule)
    exported = (
        json.dumps(stored, ensure_ascii=False)
        if as_json
        else yaml.safe_dump(stored, allow_unicode=True, sort_keys=False, width=100)
    )
    assert validated(exported.encode()) == rule


score = st.integers(0, 1000)


@PURE
@given(
    overall=st.tuples(st.none() | score, score),
    subjects=st.dictionaries(st.sampled_from(SHIPPED["core_subjects"]), st.tuples(score, score)),
    core=st.dictionaries(
        st.sampled_from(["T1.1", "T2.1"]), st.tuples(st.integers(0, 4), st.integers(0, 4))
    ),
    open_majors=st.integers(0, 2),
)
def test_the_level_never_goes_down_when_scores_go_up(
    overall: tuple[int | None, int],
    subjects: dict[str, tuple[int, int]],
    core: dict[str, tuple[int, int]],
    open_majors: int,
) -> None:
    rule = level_rule.parse(level_rule.shipped()[0][1])

    def level(pick: int) -> str | None:
        low, high = overall
        result = level_rule.compute(
            rule,
            (low if pick == 0 else max(high, low or 0)),
            {code: (a if pick == 0 else max(a, b)) for code, (a, b) in subjects.items()},
            open_majors,
            {code: (a if pick == 0 else max(a, b)) for code, (a, b) in core.items()},
        )
        assert result.level is None or result.level in rule.labels
        return result.level

    assert rule.rank(level(0)) <= rule.rank(level(1))


@API
@given(level_names=st.lists(names, min_size=4, max_size=4, unique=True), as_json=st.booleans())
@example(level_names=["Initial", "Progression \U0001f331", "Confirmé", "Exemplaire"], as_json=False)
async def test_a_rule_exported_then_imported_changes_nothing(
    service: Service, level_names: list[str], as_json: bool
) -> None:
    document = copy.deepcopy(SHIPPED)
    for level, name in zip(document["levels"], level_names, strict=True):
        level["name"] = name
    document["label_from"] = level_names[1]
    document["core_criteria"]["caps"][0]["at_most"] = level_names[1]
    url = "/v1/level-rules/CAP_RSE/versions/1"
    headers = {**service.admin, "Content-Type": "application/json"}
    imported = await service.client.put(url, content=json.dumps(document), headers=headers)
    assert imported.status_code in (200, 201), imported.text
    exported = await service.client.get(
        url, params={"format": "json" if as_json else "yaml"}, headers=service.admin
    )
    assert exported.status_code == 200, exported.text
    again = await service.client.put(url, content=exported.content, headers=headers)
    assert (again.status_code, again.json()["revision"]) == (200, imported.json()["revision"])
    assert again.json()["levels"] == level_names


# the registry's ETag -----------------------------------------------------------------------------
tags = st.text(string.ascii_letters + string.digits, min_size=1, max_size=8).map(lambda t: f'"{t}"')


@PURE
@given(first=st.binary(max_size=64), second=st.binary(max_size=64))
def test_the_registry_etag_changes_exactly_when_the_body_does(first: bytes, second: bytes) -> None:
    assert (registry.etag_of(first) == registry.etag_of(second)) == (first == second)


@PURE
@given(
    etag=tags,
    others=st.lists(tags, max_size=3),
    weak=st.booleans(),
    listed=st.booleans(),
    spaces=st.sampled_from(["", " ", "  "]),
)
def test_if_none_match_matches_exactly_the_listed_tags(
    etag: str, others: list[str], weak: bool, listed: bool, spaces: str
) -> None:
    sent = [*others, ("W/" if weak else "") + etag] if listed else others
    header = ("," + spaces).join(sent)
    assert registry.matches(header, etag) == (listed or etag in others)
    assert registry.matches("*", etag)
    assert not registry.matches(None, etag)
    assert not registry.matches("", etag)


@PURE
@given(header=st.text(max_size=40))
def test_any_if_none_match_header_is_a_yes_or_a_no(header: str) -> None:
    assert registry.matches(header, '"abc"') in (True, False)
