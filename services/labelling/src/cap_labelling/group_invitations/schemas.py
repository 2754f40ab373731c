"""API shapes of group invitations: as the invited structure reads one, as the applicant
follows the answers."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


class GroupInvitationPublic(BaseModel):
    """An invitation as the invited structure (and the federation) reads it."""

    id: str
    application_id: str
    organisation_id: str
    applicant_organisation_id: str
    applicant_name: str | None
    scheme: str
    certification_body_id: str
    motivation: str | None
    status: str
    invited_at: datetime
    answered_at: datetime | None


class GroupMemberPublic(BaseModel):
    """A named member's answer, as the applicant reads it on its application."""

    invitation_id: str
    organisation_id: str
    status: str
    invited_at: datetime
    answered_at: datetime | None
