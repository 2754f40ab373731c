"""API shapes of invitations. Inputs refuse unknown fields."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, EmailStr, Field

from cap_gateway.accounts.schemas import Input, Name, Password, RoleScope


class InvitationCreate(RoleScope):
    """Invite a person by e-mail to take a role."""

    email: EmailStr
    name: Name


class InvitationAccept(Input):
    """Accept an invitation with the token of its link; a new account chooses its password."""

    token: str = Field(min_length=20, max_length=100)
    password: Password | None = Field(
        default=None, description="Required when the e-mail has no account yet"
    )


class InvitationPublic(BaseModel):
    """A pending invitation (the token is never shown again)."""

    id: str
    email: str
    name: str
    role: str
    organisation_id: str | None
    region: str | None
    certification_body_id: str | None
    invited_by: str
    expires_at: datetime
    created_at: datetime


class InvitationCreated(InvitationPublic):
    """A new invitation with its one-time link (to send to the invitee)."""

    invitation_url: str
    token: str
