"""``cap_shared.partial``: a field of a partial update may be left out, never be null, and the
JSON schema says exactly that."""

from __future__ import annotations

from typing import Literal

import pytest
from pydantic import BaseModel, ConfigDict, ValidationError

from cap_shared.partial import NotNull, unset
from cap_shared.text import Text


class Update(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: NotNull[Text] = unset(min_length=1, max_length=20)
    hour: NotNull[int] = unset(ge=0, le=23)
    mode: NotNull[Literal["on", "off"]] = unset()
    note: str | None = None  # nullable on purpose: null clears it


def test_left_out_is_unset_and_given_values_are_validated() -> None:
    assert Update.model_validate({}).model_fields_set == set()
    assert Update.model_validate({"name": "A", "hour": 0, "mode": "on", "note": None}).hour == 0
    for body, field in [
        ({"name": None}, "name"),
        ({"hour": None}, "hour"),
        ({"mode": None}, "mode"),
        ({"name": ""}, "name"),
        ({"name": "a\x00b"}, "name"),
        ({"hour": 24}, "hour"),
        ({"hour": 2**63}, "hour"),
    ]:
        with pytest.raises(ValidationError) as caught:
            Update.model_validate(body)
        assert [e["loc"] for e in caught.value.errors()] == [(field,)], body


def test_the_schema_has_no_null_where_null_is_refused() -> None:
    properties = Update.model_json_schema()["properties"]
    assert properties["name"] == {
        "type": "string",
        "minLength": 1,
        "maxLength": 20,
        "title": "Name",
    }
    assert properties["hour"] == {"type": "integer", "minimum": 0, "maximum": 23, "title": "Hour"}
    assert properties["mode"] == {"type": "string", "enum": ["on", "off"], "title": "Mode"}
    assert properties["note"]["anyOf"] == [{"type": "string"}, {"type": "null"}]
