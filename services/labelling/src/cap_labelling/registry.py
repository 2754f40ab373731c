"""The public registry: search labelled and certified structures, verify a recognition.

Open to anyone, through the gateway (rate limited there), and cacheable: every answer carries a
strong ``ETag`` computed from its body and ``Cache-Control: public, max-age=...``; a request
whose ``If-None-Match`` matches gets ``304``. Only public facts are shown: the holder's name,
region and SIAE types, the scheme, level, scope, body, dates and the status history with public
reason codes — never scores, findings, people, contact details nor the committee's notes.
"""

from __future__ import annotations

import functools
import hashlib
import json
import uuid
from datetime import date
from typing import Any, Literal

import jinja2
import sqlalchemy as sa
from pydantic import AwareDatetime, BaseModel, ConfigDict, EmailStr, Field
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from cap_labelling import recognitions
from cap_labelling.models import (
    Complaint,
    Organisation,
    Recognition,
    RecognitionChange,
    tables,
    tombstones,
)
from cap_labelling.rules import RecognitionStatus
from cap_shared.contracts import new_event
from cap_shared.contracts.identity import SiaeType
from cap_shared.contracts.labelling import ComplaintReceivedV1
from cap_shared.formats import xml_text
from cap_shared.outbox import add_event
from cap_shared.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, Keyset, SortKey
from cap_shared.problems import InvalidInput, NotFound
from cap_shared.sync import Deleted, DeltaSync, SyncPage
from cap_shared.text import Text, fold

SOURCE = "/cap/labelling"
SCHEME_NAMES = {"CAP_RSE": "Label CAP RSE", "CAP_ISO9001": "Certification CAP ISO 9001"}
STATUS_NAMES = {
    "active": "Valide",
    "suspended": "Suspendu",
    "withdrawn": "Retiré",
    "expired": "Expiré",
    "renewed": "Renouvelé",
}
#: Public meaning of each reason code of the history (the committee's notes stay private).
REASONS = {
    "granted": "Attribution",
    "renewed": "Renouvellement",
    "restored": "Rétablissement après expiration (renouvellement)",
    "imported": "Reprise d'une reconnaissance existante",
    "surveillance_overdue": "Audit de surveillance non réalisé à temps",
    "surveillance_done": "Audit de surveillance réalisé",
    "major_nc_overdue": "Non-conformité majeure non levée dans le délai",
    "major_nc_closed": "Non-conformité majeure levée",
    "suspension_period_ended": "Fin de la période de suspension",
    "expired": "Date d'expiration atteinte",
    "committee": "Décision du comité de labellisation",
    "complaint": "Suite à une réclamation",
    "redecided": "Nouvelle décision après appel",
    "scope_reduced": "Réduction du périmètre de certification (certificat réémis)",
    "decision_overturned": "Décision d'attribution annulée après appel",
}


class PublicStructure(BaseModel):
    name: str
    region: str
    region_name: str
    siae_types: list[str]


class PublicChange(BaseModel):
    on: date
    status: str
    reason_code: str
    reason: str


class RegistryEntry(BaseModel):
    number: str
    scheme: str
    scheme_name: str
    level: str | None
    status: str
    status_name: str
    holder: PublicStructure
    members: list[PublicStructure]
    scope: str
    certification_body_id: str | None
    external_number: str | None
    decided_on: date
    effective_date: date
    expiry_date: date
    issued_on: date = Field(description="When the certificate was last issued (reissued)")
    renewed_by: str | None = Field(description="Number of the recognition of the next cycle")
    verification_url: str
    certificate_url: str


class Verification(RegistryEntry):
    history: list[PublicChange]


class SearchQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    region: str | None = Field(default=None, pattern=r"^[0-9]{2}$", description="INSEE region code")
    siae_type: SiaeType | None = None
    scheme: Literal["CAP_RSE", "CAP_ISO9001"] | None = None
    level: str | None = Field(default=None, pattern=r"^[^\x00-\x1f<>]{1,30}$")
    status: Literal["active", "suspended", "withdrawn", "expired", "renewed"] | None = Field(
        default=None, description="Default: in force (active and suspended)"
    )
    q: Text | None = Field(
        default=None,
        min_length=2,
        max_length=100,
        description="In the holder's name (accents and case ignored)",
    )
    limit: int = Field(default=DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description="Page size")
    cursor: str | None = Field(
        default=None,
        # It holds a holder's name (up to 200 characters, escaped): longer than most cursors.
        max_length=2000,
        description="`next_cursor` of the previous page of this same list (opaque); absent "
        "for the first page",
    )
    updated_since: AwareDatetime | None = Field(
        default=None,
        description="Delta sync: the recognitions changed at or after this RFC 3339 date-time "
        "(with its offset), oldest change first, in every status unless `status` is given, and "
        "in `deleted` those deleted since; keep paging with `next_cursor` and the same value",
    )


class ComplaintIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Text = Field(min_length=2, max_length=200)
    email: EmailStr
    message: Text = Field(min_length=10, max_length=4000)


class ComplaintReceipt(BaseModel):
    reference: str
    number: str
    status: str


# answers -----------------------------------------------------------------------------------------
def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def dumps(model: BaseModel) -> bytes:
    return json.dumps(
        model.model_dump(mode="json"), ensure_ascii=False, separators=(",", ":")
    ).encode()


def matches(if_none_match: str | None, etag: str) -> bool:
    """RFC 9110 §13.1.2: weak comparison, a list of tags, or ``*``."""
    if not if_none_match:
        return False
    tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
    return "*" in tags or etag in tags


def _structure(org: Organisation | None) -> PublicStructure:
    if org is None:
        return PublicStructure(
            name="(structure inconnue)", region="", region_name="", siae_types=[]
        )
    return PublicStructure(
        name=org.name, region=org.region, region_name=org.region_name, siae_types=org.siae_types
    )


async def _organisations(session: AsyncSession, ids: set[str]) -> dict[str, Organisation]:
    if not ids:
        return {}
    query = sa.select(Organisation).where(col(Organisation.id).in_(sorted(ids)))
    return {o.id: o for o in (await session.execute(query)).scalars()}


async def _numbers(session: AsyncSession, ids: set[str]) -> dict[str, str]:
    if not ids:
        return {}
    query = sa.select(col(Recognition.id), col(Recognition.number)).where(
        col(Recognition.id).in_(sorted(ids))
    )
    return dict((await session.execute(query)).all())


def _entry(
    r: Recognition, orgs: dict[str, Organisation], renewed: dict[str, str], public_url: str
) -> dict[str, Any]:
    base = public_url.rstrip("/")
    return {
        "number": r.number,
        "scheme": r.scheme,
        "scheme_name": SCHEME_NAMES[r.scheme],
        "level": r.level,
        "status": r.status,
        "status_name": STATUS_NAMES[r.status],
        "holder": _structure(orgs.get(r.organisation_id)),
        "members": [_structure(orgs.get(m)) for m in r.group_member_ids],
        "scope": r.scope,
        "certification_body_id": r.certification_body_id,
        "external_number": r.external_number,
        "decided_on": r.decided_on,
        "effective_date": r.effective_date,
        "expiry_date": r.expiry_date,
        "issued_on": r.issued_on or r.effective_date,
        "renewed_by": renewed.get(r.renewed_by_id or ""),
        "verification_url": f"{base}/v1/registry/verify/{r.verification_code}",
        "certificate_url": f"{base}/v1/registry/recognitions/{r.number}/certificate.pdf",
    }


#: By holder name, then recognition number (unique); sorted in memory (see :func:`search`).
KEYS = Keyset(
    "registry",
    SortKey(str, value=lambda row: row[1].name),
    SortKey(str, value=lambda row: row[0].number),
)
#: Delta sync: oldest change first (a status change, a reissue: the recognition's row changes).
SYNC = DeltaSync.timestamped("registry", "recognition", Recognition)


class RegistryPage(SyncPage[RegistryEntry]):
    """A page of the registry (``deleted``: with ``updated_since`` only)."""


async def search(session: AsyncSession, query: SearchQuery, public_url: str) -> RegistryPage:
    """Recognitions matching the filters, in force by default, by holder name and number; with
    ``updated_since``, the changes since then, oldest first, in every status unless one is
    asked (a withdrawal or an expiry reaches the cache as a change of status)."""
    if query.updated_since is not None:
        statuses = [query.status] if query.status else None
    else:
        statuses = (
            [query.status]
            if query.status
            else [RecognitionStatus.ACTIVE.value, RecognitionStatus.SUSPENDED.value]
        )
    where: list[Any] = []
    if statuses:
        where.append(col(Recognition.status).in_(statuses))
    if query.scheme:
        where.append(col(Recognition.scheme) == query.scheme)
    if query.level:
        where.append(col(Recognition.level) == query.level)
    if query.region:
        where.append(col(Organisation.region) == query.region)
    if query.siae_type:
        # A JSON list: its text holds the quoted code (both databases).
        where.append(
            sa.cast(col(Organisation.siae_types), sa.Text).contains(
                f'"{query.siae_type}"', autoescape=True
            )
        )
    joined = sa.join(
        Recognition, Organisation, col(Organisation.id) == col(Recognition.organisation_id)
    )
    deleted: list[Deleted] = []
    if query.updated_since is not None:
        if query.q:
            raise InvalidInput(
                "q does not combine with updated_since: sync the list, then search it",
                detail_fr="q ne se combine pas avec updated_since : synchronisez la liste, "
                "puis cherchez-y",
                extensions={
                    "errors": [
                        {
                            "field": "query.q",
                            "message": "not with updated_since",
                            "message_fr": "pas avec updated_since",
                        }
                    ]
                },
            )
        page, deleted, next_cursor = await SYNC.page(
            session,
            sa.select(Recognition).select_from(joined).where(*where),
            tombstones,
            since=query.updated_since,
            cursor=query.cursor,
            limit=query.limit,
        )
    else:
        needle = fold(query.q) if query.q else None
        rows = [
            (r, o)
            for r, o in (
                await session.execute(
                    sa.select(Recognition, Organisation).select_from(joined).where(*where)
                )
            ).all()
            # The accent-blind name match is portable here only: the registry holds hundreds of
            # rows, and its answers are cached (so are its pages, sorted in memory).
            if needle is None or needle in fold(o.name)
        ]
        found, next_cursor = KEYS.slice(rows, cursor=query.cursor, limit=query.limit)
        page = [r for r, _ in found]
    orgs = await _organisations(
        session, {m for r in page for m in [r.organisation_id, *r.group_member_ids]}
    )
    renewed = await _numbers(session, {r.renewed_by_id for r in page if r.renewed_by_id})
    return RegistryPage(
        data=[RegistryEntry(**_entry(r, orgs, renewed, public_url)) for r in page],
        next_cursor=next_cursor,
        deleted=deleted,
    )


async def find(
    session: AsyncSession, *, number: str | None = None, code: str | None = None
) -> Recognition:
    """A recognition by its public number or its verification code (404 if unknown)."""
    if code is not None:
        canonical = recognitions.normalise_code(code)
        if canonical is None:
            raise InvalidInput(
                "a verification code has 12 letters and digits, e.g. K7QH-3M9X-PT2A",
                detail_fr=(
                    "un code de vérification compte 12 lettres et chiffres, par "
                    "exemple K7QH-3M9X-PT2A"
                ),
                extensions={
                    "errors": [
                        {"field": "path.code", "message": "malformed", "message_fr": "mal formé"}
                    ]
                },
            )
        where = col(Recognition.verification_code) == canonical
    else:
        where = col(Recognition.number) == (number or "").strip().upper()
    recognition = (await session.execute(sa.select(Recognition).where(where))).scalars().first()
    if recognition is None:
        raise NotFound(
            "no recognition has this verification code"
            if code
            else "no recognition has this number",
            detail_fr="aucune reconnaissance n'a ce code de vérification"
            if code
            else "aucune reconnaissance n'a ce numéro",
        )
    return recognition


async def verification(
    session: AsyncSession, recognition: Recognition, public_url: str
) -> Verification:
    """Current status and the public history, with dates."""
    orgs = await _organisations(
        session, {recognition.organisation_id, *recognition.group_member_ids}
    )
    renewed = await _numbers(
        session, {recognition.renewed_by_id} if recognition.renewed_by_id else set()
    )
    changes = (
        (
            await session.execute(
                sa.select(RecognitionChange)
                .where(col(RecognitionChange.recognition_id) == recognition.id)
                .order_by(col(RecognitionChange.at), col(RecognitionChange.id))
            )
        )
        .scalars()
        .all()
    )
    return Verification(
        **_entry(recognition, orgs, renewed, public_url),
        history=[
            PublicChange(
                on=c.on,
                status=c.to_status,
                reason_code=c.reason_code,
                reason=REASONS.get(c.reason_code, c.reason_code),
            )
            for c in changes
        ],
    )


@functools.cache
def _pages() -> jinja2.Environment:
    """The registry's HTML templates, every value escaped (names and scopes are typed text)."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("cap_labelling", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        # Characters no HTML page may carry (a control character typed in a name) are dropped.
        finalize=lambda value: xml_text(value) if isinstance(value, str) else value,
    )


def verification_html(v: Verification) -> str:
    """The verification page a phone opens from the certificate's QR code (French)."""
    return (
        _pages()
        .get_template("verification.html")
        .render(
            v=v,
            colour="#1b7f3b" if v.status == "active" else "#b3261e",
            status_names=STATUS_NAMES,
        )
    )


# complaints ----------------------------------------------------------------------------------------
async def file_complaint(
    session: AsyncSession, number: str, data: ComplaintIn, now: Any
) -> ComplaintReceipt:
    """Anyone flags a listed recognition: a complaint opens for the committee."""
    recognition = await find(session, number=number)
    complaint = Complaint(
        id=str(uuid.uuid4()),
        reference="R-" + recognitions.new_verification_code(),
        recognition_id=recognition.id,
        status="received",
        reporter_name=data.name.strip(),
        reporter_email=str(data.email),
        message=data.message.strip(),
        steps=[{"at": now.isoformat(), "by": "public", "step": "received"}],
    )
    session.add(complaint)
    await session.flush()
    await add_event(
        session,
        tables.outbox,
        new_event(
            ComplaintReceivedV1(
                complaint_id=complaint.id,
                recognition_id=recognition.id,
                number=recognition.number,
                organisation_id=recognition.organisation_id,
                received_at=now,
            ),
            source=SOURCE,
            subject=complaint.id,
            actor="public",
        ),
    )
    return ComplaintReceipt(
        reference=complaint.reference, number=recognition.number, status="received"
    )
