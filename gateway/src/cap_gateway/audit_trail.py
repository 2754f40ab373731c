"""The gateway's regulated records in the audit trail (cap_shared.audit): accounts, roles,
invitations accepted, API clients and organisations. What each change records, in one place."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from cap_gateway.models import ApiClient, Invitation, Membership, Organisation, User, tables
from cap_shared.audit import record_change


def account_state(user: User) -> dict[str, Any]:
    """What matters of an account (never its password)."""
    return {"email": user.email, "name": user.name, "status": user.status}


def role_state(membership: Membership) -> dict[str, Any]:
    """A role held and its scope."""
    return {
        "user_id": membership.user_id,
        "role": membership.role,
        "organisation_id": membership.organisation_id,
        "region": membership.region,
        "certification_body_id": membership.certification_body_id,
    }


def role_owner(membership: Membership) -> str | None:
    """The organisation or certification body a role is held in."""
    return membership.organisation_id or membership.certification_body_id


def api_client_state(client: ApiClient) -> dict[str, Any]:
    """What matters of an API client (never its secret)."""
    return {
        "client_id": client.client_id,
        "name": client.name,
        "scopes": sorted(client.scopes),
        "certification_body_id": client.certification_body_id,
        "revoked_at": client.revoked_at,
    }


def organisation_state(organisation: Organisation) -> dict[str, Any]:
    """What matters of an organisation."""
    return {
        "siret": organisation.siret,
        "name": organisation.name,
        "siae_types": list(organisation.siae_types),
        "region": organisation.region,
        "delegation": organisation.delegation,
    }


def invitation_state(invitation: Invitation, user: User) -> dict[str, Any]:
    """An invitation accepted: by whom, for which role."""
    return {
        "user_id": user.id,
        "email": invitation.email,
        "role": invitation.role,
        "organisation_id": invitation.organisation_id,
        "region": invitation.region,
        "certification_body_id": invitation.certification_body_id,
        "invited_by": invitation.invited_by,
        "accepted_at": invitation.accepted_at,
    }


async def audit(
    session: AsyncSession,
    *,
    action: str,
    record_type: str,
    record_id: str,
    before: Any = None,
    after: Any = None,
    on_behalf_of: str | None = None,
    event_id: str | None = None,
) -> None:
    """Append the change to the gateway's audit log, in ``session``'s transaction."""
    await record_change(
        session,
        tables.audit_log,
        action=action,
        record_type=record_type,
        record_id=record_id,
        before=before,
        after=after,
        on_behalf_of=on_behalf_of,
        event_id=event_id,
    )
