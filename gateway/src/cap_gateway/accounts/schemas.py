"""API shapes of users, memberships and the caller's profile, and the field types invitations
and API clients share. Inputs refuse unknown fields."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from cap_shared.field_errors import FieldError
from cap_shared.security import Role
from cap_shared.text import printable

Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    AfterValidator(printable),
]
#: An id or code typed into a field (a NUL would reach PostgreSQL, which cannot hold it).
Key = Annotated[str, AfterValidator(printable)]
#: Length bounds of a password (NIST SP 800-63B: at least 12 here, long passphrases welcome).
Password = Annotated[str, StringConstraints(min_length=12, max_length=128)]
BodyId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
PersonRole = Literal["member", "member_admin", "facilitator", "auditor", "committee", "admin"]


class Input(BaseModel):
    """A request body: unknown fields are refused."""

    model_config = ConfigDict(extra="forbid")


class RoleScope(Input):
    """A role and what it is scoped to: members to an organisation, facilitators to a region,
    auditors to a certification body; committee and admin to nothing."""

    role: PersonRole
    organisation_id: Key | None = Field(default=None, max_length=36)
    region: Key | None = Field(default=None, max_length=2, description="INSEE region code")
    certification_body_id: BodyId | None = None

    @model_validator(mode="after")
    def _scope_matches_role(self) -> RoleScope:
        wanted = {
            Role.MEMBER: "organisation_id",
            Role.MEMBER_ADMIN: "organisation_id",
            Role.FACILITATOR: "region",
            Role.AUDITOR: "certification_body_id",
        }.get(Role(self.role))
        for key in ("organisation_id", "region", "certification_body_id"):
            given = getattr(self, key) is not None
            if key == wanted and not given:
                msg = f"{key} is required for the role {self.role}"
                raise FieldError(msg, f"{key} est obligatoire pour le rôle {self.role}")
            if key != wanted and given:
                msg = f"{key} does not apply to the role {self.role}"
                raise FieldError(msg, f"{key} ne s'applique pas au rôle {self.role}")
        return self


class MembershipCreate(RoleScope):
    """Give an existing user one more role (admin only)."""


class UserUpdate(Input):
    """Change a user's name or disable the account (admin only)."""

    name: Name | None = None
    status: Literal["active", "disabled"] | None = None


class PasswordChange(Input):
    """Change one's own password."""

    current_password: str = Field(max_length=128)
    new_password: Password


class MembershipPublic(BaseModel):
    """A role held, with its scope and display names."""

    id: str
    role: str
    organisation_id: str | None
    organisation_name: str | None
    region: str | None
    region_name: str | None
    certification_body_id: str | None


class UserPublic(BaseModel):
    """A user as administrators and the user see it (never the password hash)."""

    id: str
    email: str
    name: str
    status: str
    memberships: list[MembershipPublic]
    created_at: datetime
    last_login_at: datetime | None


class Me(BaseModel):
    """The caller: a person with their roles, or a system with its scopes."""

    kind: Literal["user", "client"]
    id: str
    email: str | None = None
    name: str | None = None
    roles: list[str]
    memberships: list[MembershipPublic] = Field(default_factory=list)
    organisations: list[dict[str, str]] = Field(default_factory=list)
    certification_body_id: str | None = None
    scopes: list[str] = Field(default_factory=list)
