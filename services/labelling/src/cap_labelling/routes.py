"""HTTP routes of the labelling service."""

from __future__ import annotations

import asyncio
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Header, Path, Query, Request, status
from fastapi.responses import Response

from cap_labelling import (
    appeals,
    applications,
    complaints,
    decisions,
    group_invitations,
    impartiality,
    recognitions,
    registry,
)
from cap_labelling.appeals import AppealDecisionIn, AppealIn
from cap_labelling.applications import ApplicationIn, ApplicationOut, ApplicationStepIn
from cap_labelling.certificate import CertificateView, render_certificate
from cap_labelling.complaints import ComplaintOut, ComplaintStepIn
from cap_labelling.config import Settings
from cap_labelling.decisions import AppealOut, DecisionIn, DecisionOut
from cap_labelling.group_invitations import GroupInvitationOut
from cap_labelling.impartiality import EngagementIn, EngagementOut
from cap_labelling.inputs import IDENTIFIER_PATTERN
from cap_labelling.models import DecisionFile, Organisation
from cap_labelling.recognitions import RecognitionOut, RecognitionStepIn, ScopeReductionIn
from cap_labelling.registry import (
    ComplaintIn,
    ComplaintReceipt,
    RegistryPage,
    SearchQuery,
    Verification,
)
from cap_shared.conditional import IfMatch, Precondition, etag_of
from cap_shared.deps import RuntimeDep, SessionDep
from cap_shared.pagination import DEFAULT_PAGE_SIZE, Page, PageCursor, PageLimit
from cap_shared.security import Allow, Principal, Public, Role, Scope
from cap_shared.sync import SyncPage, UpdatedSince

Id = Annotated[str, Path(min_length=1, max_length=36, pattern=IDENTIFIER_PATTERN)]
_ERRORS: dict[int | str, dict[str, object]] = {
    401: {"description": "No valid token"},
    403: {"description": "Role not allowed"},
    404: {"description": "Unknown, or not visible to the caller"},
    409: {"description": "Not possible in the current state"},
    422: {"description": "Invalid input, or not eligible"},
}
#: What a list answers besides its page.
LIST_ERRORS: dict[int | str, dict[str, object]] = {
    400: {"description": "The cursor is not one of this list's (invalid-cursor)"},
}
SchemeFilter = Annotated[
    Literal["CAP_RSE", "CAP_ISO9001"] | None, Query(description="Only this scheme's")
]
OrganisationFilter = Annotated[
    str | None,
    Query(max_length=36, pattern=IDENTIFIER_PATTERN, description="Only this structure's"),
]
Readers = Annotated[
    Principal,
    Depends(Allow(Role.ADMIN, Role.COMMITTEE, Role.MEMBER, Role.MEMBER_ADMIN, Role.FACILITATOR)),
]
Applicants = Annotated[Principal, Depends(Allow(Role.ADMIN, Role.MEMBER_ADMIN))]
Deciders = Annotated[Principal, Depends(Allow(Role.ADMIN, Role.COMMITTEE, Role.MEMBER_ADMIN))]
Committee = Annotated[Principal, Depends(Allow(Role.ADMIN, Role.COMMITTEE))]
Admin = Annotated[Principal, Depends(Allow(Role.ADMIN))]
#: Who decides appeals, reduces a certificate's scope: the committee, an admin, the body's system.
AppealDeciders = Annotated[
    Principal,
    Depends(
        Allow(
            Role.ADMIN,
            Role.COMMITTEE,
            Role.CERTIFICATION_BODY,
            scopes=[Scope.CERTIFICATIONS_WRITE.value],
        )
    ),
]
Number = Annotated[str, Path(min_length=3, max_length=60, pattern=r"^[A-Za-z0-9][A-Za-z0-9\-/.]*$")]

application_routes = APIRouter(prefix="/v1/applications", tags=["applications"], responses=_ERRORS)


def _settings(request: Request) -> Settings:
    settings = request.app.state.runtime.settings
    assert isinstance(settings, Settings)
    return settings


SettingsDep = Annotated[Settings, Depends(_settings)]


@application_routes.post("", status_code=status.HTTP_201_CREATED, response_model=ApplicationOut)
async def submit(
    data: ApplicationIn,
    principal: Applicants,
    session: SessionDep,
    runtime: RuntimeDep,
    request: Request,
) -> ApplicationOut:
    """Apply for CAP RSE or CAP ISO 9001, alone or as a group (central function + members).
    The applicant needs a completed CAP diagnostic within the eligibility window (422
    ``not-eligible``). Each named member is invited and joins when its member_admin accepts
    (``awaiting_consent`` until every member has answered)."""
    window = _settings(request).eligibility_window_months
    application = await applications.submit(session, principal, data, window, runtime.clock)
    (answer,) = await applications.out(session, principal, [application])
    return answer


@application_routes.get("", response_model=Page[ApplicationOut], responses=LIST_ERRORS)
async def list_applications(
    principal: Readers,
    session: SessionDep,
    status_: Annotated[
        Literal["submitted", "awaiting_consent", "accepted", "rejected", "withdrawn"] | None,
        Query(alias="status", description="Only applications in this state"),
    ] = None,
    scheme: SchemeFilter = None,
    organisation_id: OrganisationFilter = None,
    cursor: PageCursor = None,
    limit: PageLimit = DEFAULT_PAGE_SIZE,
) -> Page[ApplicationOut]:
    """Applications the caller may see, newest first."""
    rows, next_cursor = await applications.page_visible(
        session,
        principal,
        status=status_,
        scheme=scheme,
        organisation_id=organisation_id,
        cursor=cursor,
        limit=limit,
    )
    return Page[ApplicationOut](
        data=await applications.out(session, principal, rows), next_cursor=next_cursor
    )


@application_routes.get("/{application_id}", response_model=ApplicationOut)
async def get_application(
    application_id: Id, principal: Readers, session: SessionDep
) -> ApplicationOut:
    """One application, with the diagnostics that made it eligible (those of the structures
    the caller reads) and its named members' answers."""
    application = await applications.get(session, principal, application_id)
    (answer,) = await applications.out(session, principal, [application])
    return answer


@application_routes.post("/{application_id}/transitions", response_model=ApplicationOut)
async def step_application(
    application_id: Id,
    data: ApplicationStepIn,
    principal: Deciders,
    session: SessionDep,
    runtime: RuntimeDep,
) -> ApplicationOut:
    """Accept (publishes labelling.application.accepted.v1: the audit programme starts) or
    reject with a reason (admin, committee); withdraw (the applicant's member_admin). A group
    application awaiting its members' consent may only be withdrawn (409 ``consent-pending``)."""
    application = await applications.step(session, principal, application_id, data, runtime.clock)
    (answer,) = await applications.out(session, principal, [application])
    return answer


# group invitations ----------------------------------------------------------------------------
group_invitation_routes = APIRouter(
    prefix="/v1/group-invitations", tags=["applications"], responses=_ERRORS
)
#: The invited structure's people read its invitations; the federation reads them all.
InvitationReaders = Annotated[
    Principal, Depends(Allow(Role.ADMIN, Role.COMMITTEE, Role.MEMBER, Role.MEMBER_ADMIN))
]


@group_invitation_routes.get("", response_model=Page[GroupInvitationOut], responses=LIST_ERRORS)
async def list_group_invitations(
    principal: InvitationReaders,
    session: SessionDep,
    status_: Annotated[
        Literal["pending", "accepted", "declined", "cancelled"] | None,
        Query(alias="status", description="Only invitations in this state"),
    ] = None,
    cursor: PageCursor = None,
    limit: PageLimit = DEFAULT_PAGE_SIZE,
) -> Page[GroupInvitationOut]:
    """Invitations of the caller's structures to join another structure's group application
    (the federation: all), newest first."""
    found, next_cursor = await group_invitations.page_visible(
        session, principal, status=status_, cursor=cursor, limit=limit
    )
    return Page[GroupInvitationOut](
        data=[await group_invitations.to_out(session, i) for i in found], next_cursor=next_cursor
    )


@group_invitation_routes.get("/{invitation_id}", response_model=GroupInvitationOut)
async def get_group_invitation(
    invitation_id: Id, principal: InvitationReaders, session: SessionDep
) -> GroupInvitationOut:
    """One invitation of the caller's structure: who applies, for what, with which body."""
    return await group_invitations.to_out(
        session, await group_invitations.get(session, principal, invitation_id)
    )


@group_invitation_routes.post("/{invitation_id}/acceptance", response_model=GroupInvitationOut)
async def accept_group_invitation(
    invitation_id: Id,
    principal: Applicants,
    session: SessionDep,
    runtime: RuntimeDep,
    settings: SettingsDep,
) -> GroupInvitationOut:
    """The invited structure's member_admin (or an admin) accepts: the structure joins the
    group — if it has a completed CAP diagnostic within the eligibility window (422
    ``not-eligible``) — and the applicant is told (labelling.group_invitation.answered.v1)."""
    invitation = await group_invitations.answer(
        session,
        principal,
        invitation_id,
        accept=True,
        window_months=settings.eligibility_window_months,
        clock=runtime.clock,
    )
    return await group_invitations.to_out(session, invitation)


@group_invitation_routes.post("/{invitation_id}/refusal", response_model=GroupInvitationOut)
async def decline_group_invitation(
    invitation_id: Id,
    principal: Applicants,
    session: SessionDep,
    runtime: RuntimeDep,
    settings: SettingsDep,
) -> GroupInvitationOut:
    """The invited structure's member_admin (or an admin) declines: it stays out of the group
    and nothing of it is shown to the applicant."""
    invitation = await group_invitations.answer(
        session,
        principal,
        invitation_id,
        accept=False,
        window_months=settings.eligibility_window_months,
        clock=runtime.clock,
    )
    return await group_invitations.to_out(session, invitation)


# decisions ---------------------------------------------------------------------------------------
decision_routes = APIRouter(prefix="/v1/decisions", tags=["decisions"], responses=_ERRORS)


@decision_routes.get("", response_model=Page[DecisionOut], responses=LIST_ERRORS)
async def list_decisions(
    principal: Readers,
    session: SessionDep,
    settings: SettingsDep,
    status_: Annotated[
        Literal["awaiting_report", "pending", "deferred", "held", "granted", "refused"] | None,
        Query(alias="status", description="Only files in this state"),
    ] = None,
    scheme: SchemeFilter = None,
    organisation_id: OrganisationFilter = None,
    cursor: PageCursor = None,
    limit: PageLimit = DEFAULT_PAGE_SIZE,
) -> Page[DecisionOut]:
    """Decision files the caller may see (the committee: all), newest first."""
    files, next_cursor = await decisions.page_visible(
        session,
        principal,
        status=status_,
        scheme=scheme,
        organisation_id=organisation_id,
        cursor=cursor,
        limit=limit,
    )
    return Page[DecisionOut](
        data=[await decisions.out(session, f, settings, principal=principal) for f in files],
        next_cursor=next_cursor,
    )


#: Who reads one file: its readers, and the certification body's system that decides on it
#: (it reads the file's ETag before deciding an appeal).
FileReaders = Annotated[
    Principal,
    Depends(
        Allow(
            Role.ADMIN,
            Role.COMMITTEE,
            Role.MEMBER,
            Role.MEMBER_ADMIN,
            Role.FACILITATOR,
            Role.CERTIFICATION_BODY,
            scopes=[Scope.CERTIFICATIONS_WRITE.value],
        )
    ),
]


@decision_routes.get("/{decision_id}", response_model=DecisionOut)
async def get_decision(
    decision_id: Id, principal: FileReaders, session: SessionDep, settings: SettingsDep
) -> DecisionOut:
    """One file, with the level rule's evaluation (live until decided, then as decided); its
    body's system (certifications:write) reads its own files. The ETag is what a decision
    sends in If-Match."""
    return await decisions.out(
        session, await decisions.get(session, principal, decision_id), settings, principal=principal
    )


#: Decision files have concurrent editors (the committee): a decision sends the file's ETag
#: it read in If-Match (428 without, 412 when the file changed since).
FileAsRead = Annotated[Precondition, Depends(IfMatch(required=True))]


async def _file_answer(
    session: SessionDep,
    file: DecisionFile,
    settings: SettingsDep,
    principal: Principal,
    response: Response,
) -> DecisionOut:
    """The file as ``GET /v1/decisions/{id}`` shows it to the caller, with its ETag."""
    out = await decisions.out(session, file, settings, principal=principal)
    response.headers["ETag"] = etag_of(out)
    return out


@decision_routes.post("/{decision_id}/decide", response_model=DecisionOut)
async def decide(
    decision_id: Id,
    data: DecisionIn,
    principal: Committee,
    session: SessionDep,
    runtime: RuntimeDep,
    settings: SettingsDep,
    precondition: FileAsRead,
    response: Response,
) -> DecisionOut:
    """The committee confirms (at most the computed CAP RSE level; lower with a reason),
    refuses or defers (with a reason). Not by an auditor of the file (403 ``not-impartial``);
    not twice (409); not before the report (409); CAP ISO 9001 is the body's (409). Send the
    file's ETag in If-Match (428 without it, 412 when it changed since you read it)."""
    file = await decisions.decide(
        session, principal, decision_id, data, settings, runtime.clock, precondition
    )
    return await _file_answer(session, file, settings, principal, response)


@decision_routes.post(
    "/{decision_id}/appeal", status_code=status.HTTP_201_CREATED, response_model=AppealOut
)
async def appeal_decision(
    decision_id: Id,
    data: AppealIn,
    principal: Applicants,
    session: SessionDep,
    runtime: RuntimeDep,
    settings: SettingsDep,
) -> AppealOut:
    """Appeal a refusal, or a granted CAP RSE level (the structure's member_admin, or an
    admin), within the scheme's appeal_days of the decision (409 ``appeal-period-over``); once
    per decision (409 ``already-appealed``). Publishes decision.appeal_lodged.v1."""
    appeal = await appeals.lodge(session, principal, decision_id, data, settings, runtime.clock)
    return AppealOut.model_validate(appeal, from_attributes=True)


@decision_routes.post("/{decision_id}/appeal/decision", response_model=DecisionOut)
async def decide_appeal(
    decision_id: Id,
    data: AppealDecisionIn,
    principal: AppealDeciders,
    session: SessionDep,
    runtime: RuntimeDep,
    settings: SettingsDep,
    precondition: FileAsRead,
    response: Response,
) -> DecisionOut:
    """Decide the appeal, by someone who took no part in the decision nor the audit (409
    ``conflict-of-interest`` naming the rule): CAP RSE by the committee (overturned: the file
    is decided again by someone else), CAP ISO 9001 by the body's system or an admin
    (overturned refusal: the certificate, with its number, majors permitting). Send the
    file's ETag in If-Match (428 without it, 412 when it changed since you read it)."""
    file = await appeals.decide(
        session, principal, decision_id, data, settings, runtime.clock, precondition
    )
    return await _file_answer(session, file, settings, principal, response)


# recognitions --------------------------------------------------------------------------------------
recognition_routes = APIRouter(prefix="/v1/recognitions", tags=["recognitions"], responses=_ERRORS)


@recognition_routes.get("", response_model=SyncPage[RecognitionOut], responses=LIST_ERRORS)
async def list_recognitions(
    principal: Readers,
    session: SessionDep,
    settings: SettingsDep,
    organisation_id: OrganisationFilter = None,
    status_: Annotated[
        Literal["active", "suspended", "withdrawn", "expired", "renewed"] | None,
        Query(alias="status", description="Only recognitions in this state"),
    ] = None,
    scheme: SchemeFilter = None,
    updated_since: UpdatedSince = None,
    cursor: PageCursor = None,
    limit: PageLimit = DEFAULT_PAGE_SIZE,
) -> SyncPage[RecognitionOut]:
    """Recognitions the caller may see in full (with private history notes), newest first;
    with ``updated_since``, those changed since, oldest change first (delta sync)."""
    found, deleted, next_cursor = await recognitions.page_visible(
        session,
        principal,
        organisation_id=organisation_id,
        status=status_,
        scheme=scheme,
        updated_since=updated_since,
        cursor=cursor,
        limit=limit,
    )
    changes = await recognitions.history(session, [r.id for r in found])
    return SyncPage[RecognitionOut](
        data=[recognitions.to_out(r, changes[r.id], settings.lifecycle) for r in found],
        next_cursor=next_cursor,
        deleted=deleted,
    )


@recognition_routes.get("/{recognition_id}", response_model=RecognitionOut)
async def get_recognition(
    recognition_id: Id, principal: Readers, session: SessionDep, settings: SettingsDep
) -> RecognitionOut:
    """One recognition with its full history (including the committee's notes)."""
    recognition = await recognitions.get(session, principal, recognition_id)
    changes = await recognitions.history(session, [recognition.id])
    return recognitions.to_out(recognition, changes[recognition.id], settings.lifecycle)


@recognition_routes.post("/{recognition_id}/transitions", response_model=RecognitionOut)
async def step_recognition(
    recognition_id: Id,
    data: RecognitionStepIn,
    principal: Committee,
    session: SessionDep,
    runtime: RuntimeDep,
    settings: SettingsDep,
) -> RecognitionOut:
    """Suspend, restore or withdraw by decision of the committee, with a reason."""
    recognition = await recognitions.step(session, principal, recognition_id, data, runtime.clock)
    changes = await recognitions.history(session, [recognition.id])
    return recognitions.to_out(recognition, changes[recognition.id], settings.lifecycle)


# committee members' engagements ---------------------------------------------------------------
committee_member_routes = APIRouter(
    prefix="/v1/committee-members", tags=["committee impartiality"], responses=_ERRORS
)
UserId = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9:_.\-]{0,68}$")]


@committee_member_routes.post(
    "/{user_id}/engagements", status_code=status.HTTP_201_CREATED, response_model=EngagementOut
)
async def declare_engagement(
    user_id: UserId,
    data: EngagementIn,
    principal: Committee,
    session: SessionDep,
) -> EngagementOut:
    """Declare a consultancy, accompaniment or training given to a structure (the committee
    member themselves, or an admin): it bars deciding on the structure's files for the scheme's
    cooling-off period after it ended (ISO/IEC 17021-1 §5.2.11)."""
    engagement = await impartiality.declare(session, principal, user_id, data)
    return impartiality.to_out(engagement)


@committee_member_routes.get(
    "/{user_id}/engagements", response_model=Page[EngagementOut], responses=LIST_ERRORS
)
async def list_engagements(
    user_id: UserId,
    _principal: Committee,
    session: SessionDep,
    organisation_id: OrganisationFilter = None,
    cursor: PageCursor = None,
    limit: PageLimit = DEFAULT_PAGE_SIZE,
) -> Page[EngagementOut]:
    """A person's engagements with structures: declared, and accompanied CAP sessions, most
    recent first."""
    rows, next_cursor = await impartiality.of_person(
        session, user_id, organisation_id=organisation_id, cursor=cursor, limit=limit
    )
    return Page[EngagementOut](data=[impartiality.to_out(e) for e in rows], next_cursor=next_cursor)


@recognition_routes.post("/{recognition_id}/scope-reductions", response_model=RecognitionOut)
async def reduce_scope(
    recognition_id: Id,
    data: ScopeReductionIn,
    principal: AppealDeciders,
    session: SessionDep,
    runtime: RuntimeDep,
    settings: SettingsDep,
) -> RecognitionOut:
    """Reduce a CAP ISO 9001 certificate's scope instead of suspending or withdrawing it (the
    committee, an admin, or the body's system for its certificates): reissued with the new
    scope and a new issue date, active; the public history shows ``scope_reduced``."""
    recognition = await recognitions.reduce_scope(
        session, principal, recognition_id, data, runtime.clock
    )
    changes = await recognitions.history(session, [recognition.id])
    return recognitions.to_out(recognition, changes[recognition.id], settings.lifecycle)


# complaints ------------------------------------------------------------------------------------------
complaint_routes = APIRouter(prefix="/v1/complaints", tags=["complaints"], responses=_ERRORS)


@complaint_routes.get("", response_model=Page[ComplaintOut], responses=LIST_ERRORS)
async def list_complaints(
    _principal: Committee,
    session: SessionDep,
    status_: Annotated[
        Literal["received", "investigating", "upheld", "dismissed"] | None,
        Query(alias="status", description="Only complaints in this state"),
    ] = None,
    cursor: PageCursor = None,
    limit: PageLimit = DEFAULT_PAGE_SIZE,
) -> Page[ComplaintOut]:
    """Complaints from the public registry, newest first (the committee)."""
    rows, next_cursor = await complaints.page(session, status_, cursor=cursor, limit=limit)
    return Page[ComplaintOut](
        data=[await complaints.to_out(session, c) for c in rows], next_cursor=next_cursor
    )


@complaint_routes.get("/{complaint_id}", response_model=ComplaintOut)
async def get_complaint(
    complaint_id: Id, _principal: Committee, session: SessionDep
) -> ComplaintOut:
    return await complaints.to_out(session, await complaints.get(session, complaint_id))


@complaint_routes.post("/{complaint_id}/transitions", response_model=ComplaintOut)
async def step_complaint(
    complaint_id: Id,
    data: ComplaintStepIn,
    principal: Committee,
    session: SessionDep,
    runtime: RuntimeDep,
) -> ComplaintOut:
    """Investigate, then uphold or dismiss with the resolution."""
    complaint = await complaints.step(session, principal, complaint_id, data, runtime.clock)
    return await complaints.to_out(session, complaint)


# the public registry ------------------------------------------------------------------------------------
registry_routes = APIRouter(
    prefix="/v1/registry", tags=["registry"], dependencies=[Public], responses=_ERRORS
)


def _cached(
    body: bytes, etag: str, if_none_match: str | None, max_age: int, media_type: str
) -> Response:
    headers = {"ETag": etag, "Cache-Control": f"public, max-age={max_age}", "Vary": "Accept"}
    if registry.matches(if_none_match, etag):
        return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers=headers)
    return Response(body, media_type=media_type, headers=headers)


IfNoneMatch = Annotated[str | None, Header(max_length=2000)]


@registry_routes.get(
    "/recognitions",
    response_model=RegistryPage,
    responses={**LIST_ERRORS, 304: {"description": "Not modified"}},
)
async def search_registry(
    query: Annotated[SearchQuery, Query()],
    session: SessionDep,
    settings: SettingsDep,
    if_none_match: IfNoneMatch = None,
) -> Response:
    """Labelled and certified structures, by region, SIAE type, scheme, level and name; in force
    (active or suspended) unless a status is asked; by holder name, then number. No login;
    cacheable (ETag, 304)."""
    page = await registry.search(session, query, settings.public_base)
    body = registry.dumps(page)
    return _cached(
        body, registry.etag_of(body), if_none_match, settings.registry_max_age_s, "application/json"
    )


async def _verification(
    session: SessionDep,
    settings: Settings,
    number: str | None,
    code: str | None,
    if_none_match: str | None,
    accept: str | None,
) -> Response:
    recognition = await registry.find(session, number=number, code=code)
    verification = await registry.verification(session, recognition, settings.public_base)
    if accept and "text/html" in accept:
        page = registry.verification_html(verification).encode()
        return _cached(
            page,
            registry.etag_of(page),
            if_none_match,
            settings.registry_max_age_s,
            "text/html; charset=utf-8",
        )
    body = registry.dumps(verification)
    return _cached(
        body, registry.etag_of(body), if_none_match, settings.registry_max_age_s, "application/json"
    )


@registry_routes.get(
    "/recognitions/{number}",
    response_model=Verification,
    responses={200: {"content": {"text/html": {}}}, 304: {"description": "Not modified"}},
)
async def verify_by_number(
    number: Number,
    session: SessionDep,
    settings: SettingsDep,
    if_none_match: IfNoneMatch = None,
    accept: Annotated[str | None, Header(max_length=1000)] = None,
) -> Response:
    """Verify a recognition by its number: current status and history with dates."""
    return await _verification(session, settings, number, None, if_none_match, accept)


@registry_routes.get(
    "/verify/{code}",
    response_model=Verification,
    responses={
        200: {"content": {"text/html": {}}},
        303: {
            "description": "Through the gateway, a browser (``Accept`` preferring ``text/html`` "
            "to JSON) is sent to the console's verification page ``/verifier/{code}``"
        },
        304: {"description": "Not modified"},
    },
)
async def verify_by_code(
    code: Annotated[str, Path(min_length=1, max_length=40)],
    session: SessionDep,
    settings: SettingsDep,
    if_none_match: IfNoneMatch = None,
    accept: Annotated[str | None, Header(max_length=1000)] = None,
) -> Response:
    """Verify the code printed on a certificate. Its QR code points here: through the gateway a
    browser is sent to the console's page (303), an API client gets the JSON; called directly,
    ``Accept: text/html`` gets the service's own French page."""
    return await _verification(session, settings, None, code, if_none_match, accept)


@registry_routes.get(
    "/recognitions/{number}/certificate.pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
async def certificate(
    number: Number, session: SessionDep, settings: SettingsDep, if_none_match: IfNoneMatch = None
) -> Response:
    """The certificate in French, with a QR code to its verification page."""
    recognition = await registry.find(session, number=number)
    verification = await registry.verification(session, recognition, settings.public_base)
    holder = await session.get(Organisation, recognition.organisation_id)
    members = [await session.get(Organisation, m) for m in recognition.group_member_ids]
    # Drawn in a worker thread: the event loop keeps serving meanwhile.
    pdf = await asyncio.to_thread(
        render_certificate,
        CertificateView(
            number=recognition.number,
            verification_code=recognition.verification_code,
            scheme=recognition.scheme,
            level=recognition.level,
            holder_name=holder.name if holder else verification.holder.name,
            holder_siret=holder.siret if holder else "",
            holder_region_name=verification.holder.region_name,
            members=[(m.name, m.siret) for m in members if m is not None],
            scope=recognition.scope,
            certification_body=recognition.certification_body_id,
            external_number=recognition.external_number,
            decided_on=recognition.decided_on,
            effective_date=recognition.effective_date,
            expiry_date=recognition.expiry_date,
            status=recognition.status,
            verify_url=verification.verification_url,
            issued_on=recognition.issued_on,
        ),
    )
    response = _cached(
        pdf,
        registry.etag_of(registry.dumps(verification)),
        if_none_match,
        settings.registry_max_age_s,
        "application/pdf",
    )
    response.headers["Content-Disposition"] = f'inline; filename="{recognition.number}.pdf"'
    return response


@registry_routes.post(
    "/recognitions/{number}/complaints",
    status_code=status.HTTP_201_CREATED,
    response_model=ComplaintReceipt,
)
async def flag(
    number: Number, data: ComplaintIn, session: SessionDep, runtime: RuntimeDep
) -> ComplaintReceipt:
    """Flag a listed recognition: a complaint opens for the labelling committee. Your name and
    e-mail stay private; keep the reference."""
    return await registry.file_complaint(session, number, data, runtime.clock.now())


ROUTERS = (
    application_routes,
    group_invitation_routes,
    decision_routes,
    recognition_routes,
    complaint_routes,
    registry_routes,
    committee_member_routes,
)
