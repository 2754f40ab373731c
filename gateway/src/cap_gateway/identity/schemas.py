"""API shapes of organisations."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)

from cap_gateway.identity.regions import REGIONS
from cap_gateway.identity.siret import SIRET_PROBLEMS_FR, normalise_siret, siret_problem
from cap_shared.contracts.identity import SiaeType
from cap_shared.field_errors import FieldError
from cap_shared.text import printable

Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    AfterValidator(printable),
]


class OrganisationCreate(BaseModel):
    """Register a member structure. Unknown fields are refused (no mass assignment)."""

    model_config = ConfigDict(extra="forbid")

    siret: str = Field(
        max_length=20, description="14 digits; spaces are ignored", examples=["73282932000074"]
    )
    name: Name = Field(examples=["Atelier Solidaire du Lauragais"])
    siae_types: list[SiaeType] = Field(
        min_length=1, max_length=6, description="SIAE types run by the structure"
    )
    region: str = Field(description="INSEE region code", examples=["76"])
    delegation: (
        Annotated[
            str,
            StringConstraints(strip_whitespace=True, max_length=200),
            AfterValidator(printable),
        ]
        | None
    ) = Field(
        default=None, description="Coorace regional delegation", examples=["Coorace Occitanie"]
    )

    @field_validator("siret")
    @classmethod
    def _valid_siret(cls, value: str) -> str:
        siret = normalise_siret(value)
        problem = siret_problem(siret)
        if problem:
            raise FieldError(problem, SIRET_PROBLEMS_FR[problem])
        return siret

    @field_validator("siae_types")
    @classmethod
    def _distinct(cls, value: list[SiaeType]) -> list[SiaeType]:
        if len(set(value)) != len(value):
            msg = "each SIAE type may be listed once"
            raise FieldError(msg, "Chaque type de SIAE n'est indiqué qu'une fois")
        return value

    @field_validator("region")
    @classmethod
    def _known_region(cls, value: str) -> str:
        if value not in REGIONS:
            msg = f"unknown region code; expected one of {', '.join(sorted(REGIONS))}"
            msg_fr = f"Code de région inconnu ; codes attendus : {', '.join(sorted(REGIONS))}"
            raise FieldError(msg, msg_fr)
        return value


class OrganisationPublic(BaseModel):
    """A member structure as clients see it."""

    id: str
    siret: str
    name: str
    siae_types: list[str]
    region: str
    region_name: str
    delegation: str | None
    created_at: datetime
