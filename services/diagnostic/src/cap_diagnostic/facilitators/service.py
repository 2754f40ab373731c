"""Recording a CAP session's facilitator accounts: by acting on it, or named by an admin
(the rules are in :mod:`cap_diagnostic.facilitators.rules`)."""

from __future__ import annotations

from collections.abc import Sequence

from cap_diagnostic.diagnostics.rules import lifecycle
from cap_diagnostic.diagnostics.rules.lifecycle import Kind, Status
from cap_diagnostic.facilitators import rules as facilitators
from cap_diagnostic.models import Diagnostic, Organisation
from cap_shared import clock
from cap_shared.problems import Forbidden, InvalidInput
from cap_shared.security import Principal, Role


class FacilitatorsNamedByAdmin(Forbidden):
    """Only an admin names a session's facilitator accounts (anyone else would bar the auditor
    or committee member of their choice); a facilitator is recorded by acting on the session."""

    code, title = "facilitators-named-by-admin", "Facilitator accounts are named by an admin"
    title_fr = "Les animateurs sont désignés par un administrateur"


def note_acting(
    diagnostic: Diagnostic, *, organisation: Organisation, principal: Principal
) -> None:
    """Record a facilitator of the structure's region acting on its CAP session, until
    completion (``facilitators/rules.py``)."""
    if diagnostic.kind != Kind.CAP_SESSION.value or Status(diagnostic.status) not in (
        lifecycle.EDITABLE
    ):
        return
    user_id = facilitators.acting_facilitator(principal, region=organisation.region)
    if user_id is None:
        return
    accounts = facilitators.with_acted(
        diagnostic.facilitator_accounts, user_id, by=principal.subject, at=clock.now()
    )
    if accounts is not None:
        diagnostic.facilitator_accounts = accounts


def name_accounts(diagnostic: Diagnostic, principal: Principal, *, user_ids: Sequence[str]) -> None:
    """An admin names the session's facilitator accounts (a CAP session only)."""
    if not principal.has_role(Role.ADMIN):
        raise FacilitatorsNamedByAdmin(
            "only an admin names facilitator accounts; a facilitator is recorded by acting on "
            "the session",
            detail_fr=(
                "seul un administrateur désigne des comptes d'animateurs ; un "
                "animateur est enregistré en intervenant sur la séance"
            ),
        )
    if diagnostic.kind != Kind.CAP_SESSION.value:
        raise InvalidInput(
            "only a CAP session has facilitators",
            detail_fr="seule une séance CAP a des animateurs",
            extensions={
                "errors": [
                    {
                        "field": "body.facilitator_user_ids",
                        "message": f"a {diagnostic.kind} has no facilitator",
                        "message_fr": f"un diagnostic {diagnostic.kind} n'a pas d'animateur",
                    }
                ]
            },
        )
    diagnostic.facilitator_accounts = facilitators.with_named(
        diagnostic.facilitator_accounts, user_ids, by=principal.subject, at=clock.now()
    )
