"""API shapes of applications."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from cap_labelling.group_invitations.schemas import GroupMemberPublic
from cap_labelling.inputs import FreeText, Identifier


class ApplicationCreate(BaseModel):
    """An application: the applicant, the structures invited to its group, the scheme."""

    model_config = ConfigDict(extra="forbid")

    organisation_id: Identifier = Field(description="The applicant (a group's central function)")
    group_member_ids: list[Identifier] = Field(
        default_factory=list,
        max_length=200,
        description="Structures invited to join the group: each joins when its member_admin "
        "accepts",
    )
    scheme: Literal["CAP_RSE", "CAP_ISO9001"]
    certification_body_id: str = Field(pattern=r"^[a-z0-9][a-z0-9\-]*$", max_length=60)
    motivation: FreeText | None = Field(default=None, max_length=8000)


class ApplicationTransition(BaseModel):
    """A step on an application: accept, reject (with a reason) or withdraw."""

    model_config = ConfigDict(extra="forbid")

    step: Literal["accept", "reject", "withdraw"]
    reason: FreeText | None = Field(default=None, max_length=2000)


class ApplicationPublic(BaseModel):
    """An application as the caller may see it."""

    id: str
    organisation_id: str
    #: The members who accepted their invitation (the group as it stands).
    group_member_ids: list[str]
    scheme: str
    certification_body_id: str
    status: str
    #: The diagnostic that made each structure eligible, for the structures the caller reads on
    #: its own (the federation: all): never another structure's diagnostic or score.
    eligibility: dict[str, object]
    motivation: str | None
    submitted_by: str
    decided_by: str | None
    reason: str | None
    #: Each named member's answer (the applicant's people and the federation only).
    invitations: list[GroupMemberPublic] = Field(default_factory=list)
