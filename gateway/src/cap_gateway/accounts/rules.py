"""Who may manage whose account: pure rules on the caller's roles (no database, no HTTP)."""

from __future__ import annotations

import uuid

from cap_gateway.accounts.schemas import RoleScope
from cap_gateway.models import Membership
from cap_shared.security import Principal, Role


def administered_organisations(principal: Principal) -> frozenset[str] | None:
    """None for an admin (every organisation), else the organisations they administer."""
    if principal.has_role(Role.ADMIN):
        return None
    return principal.organisation_ids(Role.MEMBER_ADMIN)


def may_grant(principal: Principal, scope: RoleScope) -> bool:
    """Whether ``principal`` may give the role of ``scope``."""
    if principal.has_role(Role.ADMIN):
        return True
    return scope.role in (
        Role.MEMBER,
        Role.MEMBER_ADMIN,
    ) and scope.organisation_id in principal.organisation_ids(Role.MEMBER_ADMIN)


def memberships_seen_from(
    principal: Principal, user_id: str | None = None
) -> frozenset[str] | None:
    """The organisations whose memberships ``principal`` sees (None: all)."""
    if principal.user_id is not None and principal.user_id == user_id:
        return None
    return administered_organisations(principal)


def membership_of(user_id: str, scope: RoleScope) -> Membership:
    """A new membership row giving ``user_id`` the role of ``scope``."""
    return Membership(
        id=str(uuid.uuid4()),
        user_id=user_id,
        role=scope.role,
        organisation_id=scope.organisation_id,
        region=scope.region,
        certification_body_id=scope.certification_body_id,
    )
