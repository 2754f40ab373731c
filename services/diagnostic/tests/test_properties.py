"""Property-based tests (Hypothesis) of what the diagnostic service takes from outside: referential
files (any bytes, changed files, exported files imported again) and If-Match / ETag.

Properties: a file is either a referential or a 422 naming where it is wrong, never another
exception; what is accepted can be stored and exported, and an export imports as the same
referential; a diagnostic's ETag changes exactly when its representation does (issue 15).
"""

from __future__ import annotations

import copy
import json
import re
from datetime import date
from importlib import resources
from typing import Any

import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from cap_diagnostic.referentials import loader
from cap_diagnostic.referentials.schema import ReferentialFile

from .conftest import Service
from .test_diagnostics import open_diagnostic

PURE = settings(max_examples=50, deadline=None)
#: Through the API on PostgreSQL: fewer examples, each a few requests.
API = settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
#: Control characters (C0 but tab and line breaks, DEL, C1): refused in a referential's text.
CONTROL = "".join(chr(c) for c in (*range(0x20), *range(0x7F, 0xA0)) if chr(c) not in "\t\n\r")


def small_cap() -> dict[str, Any]:
    """The shipped CAP referential cut to two themes of two criteria (fast to parse as YAML)."""
    content = resources.files("cap_diagnostic.referentials").joinpath("library", "cap-v1.yaml")
    document = loader.parse(content.read_bytes(), "cap-v1.yaml").model_dump(
        mode="json", exclude_none=True
    )
    document["themes"] = [dict(t, criteria=t["criteria"][:2]) for t in document["themes"][:2]]
    return document


SMALL_CAP = small_cap()

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=12,
)


def paths(node: Any, here: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a document (a key of a mapping, an index of a list)."""
    found = [here] if here else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += paths(value, (*here, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += paths(value, (*here, i))
    return found


@st.composite
def changed_files(draw: st.DrawFn) -> tuple[bytes, str]:
    """The small CAP file with one to three places replaced or removed, as YAML or JSON."""
    document = copy.deepcopy(SMALL_CAP)
    for _ in range(draw(st.integers(1, 3))):
        where = draw(st.sampled_from(paths(document) or [("name",)]))
        parent: Any = document
        for part in where[:-1]:
            parent = parent[part]
        if draw(st.booleans()) and isinstance(parent, dict):
            parent.pop(where[-1], None)
        else:
            parent[where[-1]] = draw(json_values | st.text())
    if draw(st.booleans()):
        return json.dumps(document, ensure_ascii=draw(st.booleans())).encode(), "changed.json"
    return yaml.safe_dump(document, allow_unicode=True).encode(), "changed.yaml"


def load(content: bytes, filename: str) -> ReferentialFile | None:
    """The referential, or None when refused with the documented 422 naming the file."""
    try:
        document = loader.parse(content, filename)
        loader.resolve(document, filename, {})
    except loader.ReferentialInvalid as refused:
        invalid = refused
    else:
        return document
    assert invalid.status == 422
    assert invalid.errors
    assert all(e.file == filename for e in invalid.errors)
    return None


def texts(node: Any) -> list[str]:
    """Every string of a document, keys included."""
    if isinstance(node, dict):
        return [s for k, v in node.items() for s in (str(k), *texts(v))]
    if isinstance(node, list):
        return [s for v in node for s in texts(v)]
    return [node] if isinstance(node, str) else []


@PURE
@given(
    content=st.binary(max_size=200)
    | st.text(max_size=200).map(str.encode)
    | json_values.map(lambda v: json.dumps(v).encode()),
    filename=st.sampled_from(["cap.yaml", "cap.yml", "cap.json"]),
)
@example(content=b"[" * 100_000 + b"]" * 100_000, filename="deep.json")
@example(content=b"[" * 1_000 + b"]" * 1_000, filename="deep.yaml")
@example(content=b"\xff\xfe", filename="cap.yaml")
def test_any_bytes_are_a_referential_or_a_422(content: bytes, filename: str) -> None:
    load(content, filename)


@PURE
@given(changed_files())
@example((json.dumps({**SMALL_CAP, "name": "CAP\u0000"}).encode(), "changed.json"))
@example((json.dumps({**SMALL_CAP, "name": "CAP\u0085RSE"}).encode(), "changed.json"))
def test_a_changed_file_is_refused_naming_where_or_accepted_and_storable(
    file: tuple[bytes, str],
) -> None:
    document = load(*file)
    if document is not None:
        # PostgreSQL cannot store a NUL, export formats choke on control characters, and YAML
        # folds a NEL (U+0085) into a space.
        for text in texts(document.model_dump(mode="json")):
            assert not set(text) & set(CONTROL), repr(text)
            text.encode("utf-8")


#: Text a referential author may write: anything printable, YAML's special characters included.
authored = st.text(
    st.characters(exclude_characters=CONTROL, exclude_categories=("Cs",)), min_size=1, max_size=30
).filter(lambda s: s.strip() != "")


@PURE
@given(
    name=authored,
    description=authored,
    guidance=authored,
    level=authored,
    weight=st.floats(min_value=0.001, max_value=100),
    published_on=st.dates(),
    as_json=st.booleans(),
)
@example(
    name="yes",
    description="# pas un commentaire: - [x] * &a !tag",
    guidance="\u2028\ufeff\u00a0é",
    level="null",
    weight=1e-3,
    published_on=date(2026, 1, 1),
    as_json=False,
)
def test_an_exported_referential_imports_as_the_same(
    name: str,
    description: str,
    guidance: str,
    level: str,
    weight: float,
    published_on: date,
    as_json: bool,
) -> None:
    document = copy.deepcopy(SMALL_CAP)
    document.update(name=name, description=description, published_on=published_on.isoformat())
    criterion = document["themes"][0]["criteria"][0]
    criterion.update(guidance=guidance, weight=weight)
    document["scales"][0]["levels"][0]["name"] = level
    original = ReferentialFile.model_validate(document)
    exported = loader.dump(original, as_json=as_json)
    filename = "export.json" if as_json else "export.yaml"
    imported = load(exported.encode("utf-8"), filename)
    assert imported == original
    assert loader.dump(imported, as_json=as_json) == exported


async def test_a_file_with_a_nul_or_nested_too_deeply_is_a_422_not_a_500(
    service: Service,
) -> None:
    nul = json.dumps({**SMALL_CAP, "version": 90, "name": "CAP\u0000"}).encode()
    for filename, content in (("nul.json", nul), ("deep.json", b"[" * 50_000 + b"]" * 50_000)):
        response = await service.client.post(
            "/v1/referentials",
            files={"file": (filename, content, "application/json")},
            headers=service.admin,
        )
        assert response.status_code == 422, response.text
        assert response.json()["type"].endswith("/referential-invalid")


# ETag and If-Match ---------------------------------------------------------------------------
steps = st.lists(
    st.one_of(
        st.just(("get", None, None)),
        st.tuples(
            st.just("patch"),
            st.sampled_from(["Séance du matin", "Séance de l'après-midi"]),
            st.sampled_from(["current", "stale", "*", "absent", "weak", "list"])
            | st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=20),
        ),
    ),
    min_size=1,
    max_size=6,
)


@API
@given(steps=steps)
async def test_the_etag_changes_exactly_when_the_diagnostic_does(
    service: Service, steps: list[tuple[str, str | None, str | None]]
) -> None:
    created = await open_diagnostic(service)
    url = f"/v1/diagnostics/{created['id']}"
    headers = service.member()

    async def read() -> tuple[str, Any]:
        response = await service.client.get(url, headers=headers)
        assert response.status_code == 200, response.text
        return response.headers["etag"], response.json()

    etag, body = await read()
    seen = {etag}
    for action, title, if_match in steps:
        if action == "patch":
            tags = {
                "current": etag,
                "stale": next(iter(seen - {etag}), '"r0"'),
                "weak": "W/" + etag,
                "list": f'"other", {etag}',
            }
            sent = tags.get(str(if_match), if_match)
            extra = {} if sent == "absent" else {"If-Match": str(sent)}
            response = await service.client.patch(
                url, json={"title": title}, headers={**headers, **extra}
            )
            assert response.status_code in (200, 412), response.text
            # RFC 9110 §13.1.1: ``*``, or a listed tag equal by strong comparison (a weak
            # ``W/`` tag never matches); a malformed list may go either way.
            parts = [t.strip() for t in str(sent).split(",")]
            if sent == "absent" or str(sent).strip() == "*":
                assert response.status_code == 200, (sent, etag)
            elif all(re.fullmatch(r'(W/)?"[^",]*"', t) for t in parts):
                assert (response.status_code == 200) == (etag in parts), (sent, etag)
        new_etag, new_body = await read()
        # The ETag changes if and only if the representation does.
        assert (new_etag == etag) == (new_body == body)
        if action == "patch" and response.status_code == 200:
            assert response.headers["etag"] == new_etag
            assert response.json() == new_body
        elif action == "patch":  # refused: nothing written
            assert response.json()["current_etag"] == etag
            assert (new_etag, new_body) == (etag, body)
        etag, body = new_etag, new_body
        seen.add(etag)
