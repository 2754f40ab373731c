"""Validation errors in French: each pydantic error type worded from its context, our own
validators' FieldError in both languages, English answers unchanged."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Literal

import httpx
import pytest
from fastapi import FastAPI
from pydantic import AfterValidator, BaseModel, ConfigDict, EmailStr, Field, ValidationError

from cap_shared.field_errors import FieldError, message_fr
from cap_shared.problems import InvalidInput, ProblemLanguageMiddleware, install_problem_handlers
from cap_shared.text import Text


class Colour(StrEnum):
    RED = "red"
    GREEN = "green"
    BLUE = "blue"


def even(value: int) -> int:
    if value % 2:
        raise FieldError("must be even", "Doit être pair")
    return value


def english_only(value: str) -> str:
    if value == "no":
        raise ValueError("no is not an answer")
    return value


class Thing(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Text = Field(min_length=2, max_length=5)
    code: str = Field(default="AB", pattern=r"^[A-Z]+$")
    count: int = Field(default=1, ge=1, le=10)
    ratio: float = Field(default=0.5, gt=0, lt=1)
    share: float = Field(default=0.25, le=0.5)
    tags: list[str] = Field(default_factory=list, max_length=2)
    colour: Colour = Colour.RED
    kind: Literal["a", "b"] = "a"
    ref: uuid.UUID | None = None
    when: datetime | None = None
    day: date | None = None
    email: EmailStr | None = None
    pair: Annotated[int, AfterValidator(even)] = 2
    answer: Annotated[str, AfterValidator(english_only)] = "yes"


def french(**data: object) -> dict[str, str | None]:
    """The French message of each failing field."""
    with pytest.raises(ValidationError) as caught:
        Thing.model_validate({"name": "abc", **data})
    return {".".join(str(p) for p in e["loc"]): message_fr(e) for e in caught.value.errors()}


@pytest.mark.parametrize(
    ("data", "field", "expected"),
    [
        ({"name": "a"}, "name", "Doit contenir au moins 2 caractères"),
        ({"name": "abcdefg"}, "name", "Doit contenir au plus 5 caractères"),
        ({"code": "ab"}, "code", "Doit respecter le motif « ^[A-Z]+$ »"),
        ({"count": "x"}, "count", "Un nombre entier est attendu"),
        ({"count": 0}, "count", "Doit être supérieur ou égal à 1"),
        ({"count": 11}, "count", "Doit être inférieur ou égal à 10"),
        ({"ratio": 0}, "ratio", "Doit être supérieur à 0"),
        ({"ratio": 1}, "ratio", "Doit être inférieur à 1"),
        ({"share": 0.75}, "share", "Doit être inférieur ou égal à 0,5"),
        ({"tags": ["a", "b", "c"]}, "tags", "Doit contenir au plus 2 éléments"),
        ({"colour": "pink"}, "colour", "Valeur inconnue : 'red', 'green' ou 'blue' attendu"),
        ({"kind": "c"}, "kind", "Valeur inconnue : 'a' ou 'b' attendu"),
        ({"ref": "not-a-uuid"}, "ref", "Un UUID est attendu"),
        ({"when": "yesterday"}, "when", "Une date et heure valide est attendue (RFC 3339)"),
        ({"day": "2026-13-40"}, "day", "Une date valide est attendue (AAAA-MM-JJ)"),
        ({"email": "not an address"}, "email", "Adresse e-mail invalide"),
        ({"extra": 1}, "extra", "Champ non autorisé"),
        ({"pair": 3}, "pair", "Doit être pair"),
        ({"name": "a\x00b"}, "name", "Les caractères de contrôle ne sont pas autorisés"),
        ({"answer": "no"}, "answer", None),  # a plain ValueError: no French wording
    ],
)
def test_each_error_type_is_worded_in_french(data: dict, field: str, expected: str) -> None:
    assert french(**data)[field] == expected


def test_a_missing_field_and_a_singular_count() -> None:
    class Short(BaseModel):
        name: str = Field(min_length=1)

    with pytest.raises(ValidationError) as missing:
        Short.model_validate({})
    assert message_fr(missing.value.errors()[0]) == "Champ obligatoire"
    with pytest.raises(ValidationError) as short:
        Short.model_validate({"name": ""})
    assert message_fr(short.value.errors()[0]) == "Doit contenir au moins 1 caractère"


def test_field_error_keeps_its_english_message() -> None:
    with pytest.raises(ValidationError) as caught:
        Thing.model_validate({"name": "abc", "pair": 3})
    assert caught.value.errors()[0]["msg"] == "Value error, must be even"


def app() -> FastAPI:
    application = FastAPI()
    install_problem_handlers(application)
    application.add_middleware(ProblemLanguageMiddleware)

    @application.post("/things")
    async def create(thing: Thing) -> dict[str, str]:
        return {"name": thing.name}

    return application


async def test_field_messages_follow_the_request_language() -> None:
    transport = httpx.ASGITransport(app=app())
    body = {"name": "a", "pair": 3, "answer": "no"}
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        english = await client.post("/things", json=body)
        french_answer = await client.post("/things", json=body, headers={"Accept-Language": "fr"})
        missing = await client.post("/things", json={}, headers={"Accept-Language": "fr"})
    assert english.status_code == french_answer.status_code == 422
    en = {e["field"]: e["message"] for e in english.json()["errors"]}
    fr = {e["field"]: e["message"] for e in french_answer.json()["errors"]}
    assert en == {
        "body.name": "String should have at least 2 characters",
        "body.pair": "Value error, must be even",
        "body.answer": "Value error, no is not an answer",
    }
    assert fr == {
        "body.name": "Doit contenir au moins 2 caractères",
        "body.pair": "Doit être pair",
        "body.answer": "Value error, no is not an answer",  # no French wording: kept
    }
    assert french_answer.json()["detail"] == "Un ou plusieurs champs sont invalides."
    assert [e["type"] for e in french_answer.json()["errors"]] == [
        e["type"] for e in english.json()["errors"]
    ]
    assert missing.json()["errors"] == [
        {"field": "body.name", "message": "Champ obligatoire", "type": "missing"}
    ]


async def test_extension_errors_carry_their_french_message_only_in_french() -> None:
    application = FastAPI()
    install_problem_handlers(application)
    application.add_middleware(ProblemLanguageMiddleware)

    @application.get("/refused")
    async def refused() -> None:
        raise InvalidInput(
            "x is wrong",
            detail_fr="x est faux",
            extensions={"errors": [{"field": "x", "message": "wrong", "message_fr": "faux"}]},
        )

    transport = httpx.ASGITransport(app=application)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        english = (await client.get("/refused")).json()
        french_answer = (await client.get("/refused", headers={"Accept-Language": "fr"})).json()
    assert english["errors"] == [{"field": "x", "message": "wrong"}]
    assert french_answer["errors"] == [{"field": "x", "message": "faux"}]
    assert (english["detail"], french_answer["detail"]) == ("x is wrong", "x est faux")
    assert french_answer["title"] == "Saisie invalide"
