"""Who is calling: roles, their scope (organisation, region, certification body) and scopes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class Role(StrEnum):
    """Roles of the platform. People hold the first six; API clients act as a certification body."""

    MEMBER = "member"
    MEMBER_ADMIN = "member_admin"
    FACILITATOR = "facilitator"
    AUDITOR = "auditor"
    COMMITTEE = "committee"
    ADMIN = "admin"
    CERTIFICATION_BODY = "certification_body"


#: Roles scoped to one organisation, to one region, to one certification body.
ORGANISATION_ROLES = frozenset({Role.MEMBER, Role.MEMBER_ADMIN})
REGION_ROLES = frozenset({Role.FACILITATOR})
BODY_ROLES = frozenset({Role.AUDITOR, Role.CERTIFICATION_BODY})


class Scope(StrEnum):
    """What an API client (a certification body's system) may do."""

    AUDITS_READ = "audits:read"
    AUDITS_WRITE = "audits:write"
    CERTIFICATIONS_WRITE = "certifications:write"


@dataclass(frozen=True, slots=True)
class Grant:
    """One role held, with what it is scoped to."""

    role: Role
    organisation_id: str | None = None
    region: str | None = None
    certification_body_id: str | None = None


@dataclass(frozen=True, slots=True)
class Principal:
    """The verified caller of a request."""

    subject: str
    kind: str  # "user" or "client"
    grants: tuple[Grant, ...]
    client_id: str
    token_id: str
    expires_at: datetime
    scopes: frozenset[str] = field(default_factory=frozenset)

    @property
    def user_id(self) -> str | None:
        """The user's id for a person, None for a system."""
        return self.subject.removeprefix("user:") if self.kind == "user" else None

    @property
    def roles(self) -> frozenset[Role]:
        """Every role held, whatever its scope."""
        return frozenset(g.role for g in self.grants)

    def has_role(self, *roles: Role) -> bool:
        """Whether any of ``roles`` is held."""
        return any(g.role in roles for g in self.grants)

    def organisation_ids(self, *roles: Role) -> frozenset[str]:
        """Organisations this principal belongs to (with one of ``roles``, default any)."""
        wanted = roles or tuple(ORGANISATION_ROLES)
        return frozenset(
            g.organisation_id for g in self.grants if g.role in wanted and g.organisation_id
        )

    def regions(self) -> frozenset[str]:
        """Regions this principal facilitates."""
        return frozenset(g.region for g in self.grants if g.role in REGION_ROLES and g.region)

    def certification_body_ids(self) -> frozenset[str]:
        """Certification bodies this principal works for or acts as."""
        return frozenset(
            g.certification_body_id
            for g in self.grants
            if g.role in BODY_ROLES and g.certification_body_id
        )

    def may_see_organisation(self, organisation_id: str, region: str | None) -> bool:
        """Tenant rule for reading an organisation's records: admin, its members, its facilitators."""
        if self.has_role(Role.ADMIN):
            return True
        if organisation_id in self.organisation_ids():
            return True
        return region is not None and region in self.regions()
