"""API bodies of certification bodies, auditors and engagements."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator

from cap_audit.fields import PlatformId, SchemeName, Slug, Strict
from cap_shared.field_errors import FieldError
from cap_shared.pagination import Page
from cap_shared.partial import NotNull, unset
from cap_shared.text import Text


class BodyCreate(BaseModel):
    """A certification body to register."""

    model_config = Strict

    id: str = Slug
    name: Text = Field(min_length=1, max_length=200)
    accreditation: Text | None = Field(default=None, max_length=200)
    schemes: list[SchemeName] = Field(min_length=1)


class BodyUpdate(BaseModel):
    """What is given changes; ``accreditation: null`` clears it, the others cannot be null."""

    model_config = Strict

    name: NotNull[Text] = unset(min_length=1, max_length=200)
    accreditation: Text | None = Field(default=None, max_length=200)
    schemes: NotNull[list[SchemeName]] = unset(min_length=1)
    active: NotNull[bool] = unset()


class BodyPublic(BaseModel):
    """A certification body."""

    id: str
    name: str
    accreditation: str | None
    schemes: list[str]
    active: bool


class Qualification(BaseModel):
    """An auditor's qualification for a scheme, valid between two dates."""

    model_config = Strict

    scheme: SchemeName
    valid_from: date
    valid_until: date

    @model_validator(mode="after")
    def _order(self) -> Qualification:
        if self.valid_until < self.valid_from:
            raise FieldError("valid_until is before valid_from", "valid_until précède valid_from")
        return self


class AuditorCreate(BaseModel):
    """An auditor of a body to register."""

    model_config = Strict

    certification_body_id: str = Slug
    name: Text = Field(min_length=1, max_length=200)
    email: str | None = Field(default=None, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")
    user_id: Text | None = Field(
        default=None, max_length=36, description="The person's platform account"
    )
    qualifications: list[Qualification] = Field(default_factory=list, max_length=20)
    planner: bool = Field(
        default=False,
        description="Plans the body's audits: told of every audit requested from the body "
        "(with a platform account); other auditors hear only of the audits they are assigned to",
    )


class AuditorUpdate(BaseModel):
    """What is given changes; ``email`` and ``user_id`` may be cleared with null, the others not."""

    model_config = Strict

    name: NotNull[Text] = unset(min_length=1, max_length=200)
    email: str | None = Field(default=None, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")
    user_id: Text | None = Field(default=None, max_length=36)
    qualifications: NotNull[list[Qualification]] = unset(max_length=20)
    active: NotNull[bool] = unset()
    planner: NotNull[bool] = unset()


class AuditorPublic(BaseModel):
    """An auditor of a body, with qualifications."""

    id: str
    certification_body_id: str
    name: str
    email: str | None
    user_id: str | None
    qualifications: list[dict[str, Any]]
    active: bool
    planner: bool


class EngagementCreate(BaseModel):
    """An auditor's engagement with an organisation to record."""

    model_config = Strict

    organisation_id: PlatformId
    kind: Literal["consultancy", "accompaniment", "training", "audited"] = Field(
        description="consultancy, accompaniment and training bar auditing and deciding for the "
        "scheme's cooling_off_months (ISO/IEC 17021-1 §5.2.11); audited is history only"
    )
    on: date
    note: Text | None = Field(default=None, max_length=1000)


class EngagementPublic(BaseModel):
    """An engagement of an auditor (or their account) with an organisation."""

    id: str
    auditor_id: str | None
    user_id: str | None
    organisation_id: str
    kind: str
    on: date
    note: str | None
    audit_id: str | None = None
    role: str | None = None
    diagnostic_id: str | None = None


class AuditorEngagementPage(Page[EngagementPublic]):
    """A page of an auditor's engagements (named: other services page their own engagements)."""
