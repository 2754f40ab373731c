"""Fields of partial updates (PATCH bodies): left out, a field is unchanged; a field that
cannot be emptied refuses ``null`` with a 422, and the API description says so (no ``null``
branch, no ``default: null``), so a client and a fuzzer read the same rule the server applies.

    name: NotNull[Text] = unset(min_length=1, max_length=200)
    title: NotNull[Text] = Field(default=None, max_length=200)  # the same
"""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from pydantic import BeforeValidator, Field
from pydantic_core import PydanticCustomError

T = TypeVar("T")


def refuse_null(value: object) -> object:
    """Only given values are validated: a null is one, refused (it is not "unchanged")."""
    if value is None:
        raise PydanticCustomError(
            "not_null", "may not be null: omit the field to leave it unchanged"
        )
    return value


def not_nullable(schema: dict[str, Any]) -> None:
    """Declare a field that may be left out but not be null: no null branch, no null default."""
    schema.pop("default", None)
    branches = [b for b in schema.pop("anyOf", []) if b.get("type") != "null"]
    if len(branches) == 1:
        schema.update(branches[0])
    elif branches:
        schema["anyOf"] = branches


#: A field of a partial update that may be left out (None in Python) but never sent as null.
NotNull = Annotated[T | None, BeforeValidator(refuse_null), Field(json_schema_extra=not_nullable)]


def unset(**constraints: Any) -> Any:
    """The default of a :data:`NotNull` field: absent, and declared not nullable."""
    return Field(default=None, json_schema_extra=not_nullable, **constraints)
