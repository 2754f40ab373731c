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
from datetime import date
from typing import Any

import jinja2
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from cap_labelling.models import Organisation, Recognition
from cap_labelling.recognitions.codes import normalise_code
from cap_labelling.registry.certificate import CertificateView
from cap_labelling.registry.repository import PublicRepository, RegistryRepository, read_public
from cap_labelling.registry.schemas import (
    PublicChange,
    RegistryEntry,
    RegistryPage,
    SearchQuery,
    Verification,
)
from cap_labelling.repository import StructureRepository
from cap_labelling.rules import RecognitionStatus
from cap_shared.db.session import Database
from cap_shared.formats import xml_text
from cap_shared.pagination import Keyset, SortKey
from cap_shared.problems import InvalidInput, NotFound
from cap_shared.sync import Deleted
from cap_shared.text import fold

#: The schemes' public names.
SCHEME_NAMES = {"CAP_RSE": "Label CAP RSE", "CAP_ISO9001": "Certification CAP ISO 9001"}
#: The statuses' public names.
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


# answers -----------------------------------------------------------------------------------------
def etag_of(body: bytes) -> str:
    """A strong ETag of an answer's body."""
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def dumps(model: BaseModel) -> bytes:
    """An answer's body: compact JSON, in UTF-8."""
    return json.dumps(
        model.model_dump(mode="json"), ensure_ascii=False, separators=(",", ":")
    ).encode()


def matches(if_none_match: str | None, etag: str) -> bool:
    """RFC 9110 §13.1.2: weak comparison, a list of tags, or ``*``."""
    if not if_none_match:
        return False
    tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
    return "*" in tags or etag in tags


def _entry(
    r: Recognition, orgs: dict[str, Organisation], renewed: dict[str, str], public_url: str
) -> dict[str, Any]:
    """A recognition's registry entry, with its links (:func:`_answer`'s, from the ORM)."""
    return _answer(
        r,
        holder=_public_structure(orgs.get(r.organisation_id)),
        members=[_public_structure(orgs.get(m)) for m in r.group_member_ids],
        renewed_by=renewed.get(r.renewed_by_id or ""),
        public_url=public_url,
    )


#: By holder name, then recognition number (unique); sorted in memory (see :func:`search`).
KEYS = Keyset(
    "registry",
    SortKey(str, value=lambda row: row[1].name),
    SortKey(str, value=lambda row: row[0].number),
)


async def search(session: AsyncSession, query: SearchQuery, *, public_url: str) -> RegistryPage:
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
    filters: dict[str, Any] = {
        "statuses": statuses,
        "scheme": query.scheme,
        "level": query.level,
        "region": query.region,
        "siae_type": query.siae_type,
    }
    repository = RegistryRepository(session)
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
        page, deleted, next_cursor = await repository.changed_since(
            since=query.updated_since, cursor=query.cursor, limit=query.limit, **filters
        )
    else:
        needle = fold(query.q) if query.q else None
        rows = [
            (r, o)
            for r, o in await repository.matching(**filters)
            # The accent-blind name match is portable here only: the registry holds hundreds of
            # rows, and its answers are cached (so are its pages, sorted in memory).
            if needle is None or needle in fold(o.name)
        ]
        found, next_cursor = KEYS.slice(rows, cursor=query.cursor, limit=query.limit)
        page = [r for r, _ in found]
    orgs = await StructureRepository(session).by_id(
        {m for r in page for m in [r.organisation_id, *r.group_member_ids]}
    )
    renewed = await repository.numbers({r.renewed_by_id for r in page if r.renewed_by_id})
    return RegistryPage(
        data=[RegistryEntry(**_entry(r, orgs, renewed, public_url)) for r in page],
        next_cursor=next_cursor,
        deleted=deleted,
    )


def _key(number: str | None, code: str | None) -> tuple[str | None, str | None]:
    """The number (trimmed, upper case) or the code (canonical) looked up; 422 if the code
    cannot be one."""
    if code is None:
        return (number or "").strip().upper(), None
    canonical = normalise_code(code)
    if canonical is None:
        raise InvalidInput(
            "a verification code has 12 letters and digits, e.g. K7QH-3M9X-PT2A",
            detail_fr=(
                "un code de vérification compte 12 lettres et chiffres, par exemple K7QH-3M9X-PT2A"
            ),
            extensions={
                "errors": [
                    {"field": "path.code", "message": "malformed", "message_fr": "mal formé"}
                ]
            },
        )
    return None, canonical


def _unknown(code: str | None) -> NotFound:
    """The 404 of a number or a code no recognition has."""
    return NotFound(
        "no recognition has this verification code" if code else "no recognition has this number",
        detail_fr="aucune reconnaissance n'a ce code de vérification"
        if code
        else "aucune reconnaissance n'a ce numéro",
    )


async def find(
    session: AsyncSession, *, number: str | None = None, code: str | None = None
) -> Recognition:
    """A recognition by its public number or its verification code (404 if unknown)."""
    number, code = _key(number, code)
    recognition = await RegistryRepository(session).find(number=number, code=code)
    if recognition is None:
        raise _unknown(code)
    return recognition


async def verification(
    session: AsyncSession, recognition: Recognition, *, public_url: str
) -> Verification:
    """Current status and the public history, with dates."""
    repository = RegistryRepository(session)
    orgs = await StructureRepository(session).by_id(
        {recognition.organisation_id, *recognition.group_member_ids}
    )
    renewed = await repository.numbers(
        {recognition.renewed_by_id} if recognition.renewed_by_id else set()
    )
    changes = await repository.history(recognition.id)
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


def _public_structure(row: Any) -> dict[str, Any]:
    """A structure's public facts as :class:`PublicStructure` dumps them (a placeholder for one
    not known here)."""
    if row is None or row.name is None:
        return {"name": "(structure inconnue)", "region": "", "region_name": "", "siae_types": []}
    return {
        "name": row.name,
        "region": row.region,
        "region_name": row.region_name,
        "siae_types": list(row.siae_types),
    }


def _day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _answer(
    r: Any,
    *,
    holder: dict[str, Any],
    members: list[dict[str, Any]],
    renewed_by: str | None,
    public_url: str,
) -> dict[str, Any]:
    """A recognition's registry entry as its JSON gives it (dates in ISO form), with its links:
    the one builder of the search's entries, the verification's model and the verification's
    answer written directly. ``r``: the recognition, or a row with the same names."""
    base = public_url.rstrip("/")
    return {
        "number": r.number,
        "scheme": r.scheme,
        "scheme_name": SCHEME_NAMES[r.scheme],
        "level": r.level,
        "status": r.status,
        "status_name": STATUS_NAMES[r.status],
        "holder": holder,
        "members": members,
        "scope": r.scope,
        "certification_body_id": r.certification_body_id,
        "external_number": r.external_number,
        "decided_on": _day(r.decided_on),
        "effective_date": _day(r.effective_date),
        "expiry_date": _day(r.expiry_date),
        "issued_on": _day(r.issued_on or r.effective_date),
        "renewed_by": renewed_by,
        "verification_url": f"{base}/v1/registry/verify/{r.verification_code}",
        "certificate_url": f"{base}/v1/registry/recognitions/{r.number}/certificate.pdf",
    }


async def verification_body(
    connection: AsyncConnection,
    *,
    number: str | None = None,
    code: str | None = None,
    public_url: str,
) -> bytes:
    """A verification's answer, byte for byte ``dumps(verification(...))``, from one statement
    on a bare connection (two for a group): what a cache miss costs. 404 if unknown, 422 for a
    malformed code."""
    number, code = _key(number, code)
    return await _verification_answer(
        PublicRepository(connection), number=number, code=code, public_url=public_url
    )


async def verify(
    db: Database, *, number: str | None = None, code: str | None = None, public_url: str
) -> bytes:
    """:func:`verification_body`, on the connection the registry's reads take on ``db``
    (:func:`~cap_labelling.registry.repository.read_public`: on SQLite, the event loop's own
    thread)."""
    number, code = _key(number, code)
    return await read_public(
        db,
        lambda repository: _verification_answer(
            repository, number=number, code=code, public_url=public_url
        ),
    )


async def _verification_answer(
    repository: PublicRepository, *, number: str | None, code: str | None, public_url: str
) -> bytes:
    rows = await repository.verification(number=number, code=code)
    if not rows:
        raise _unknown(code)
    r = rows[0]
    member_ids: list[str] = list(r.group_member_ids or [])
    members = await repository.structures(member_ids) if member_ids else {}
    answer = _answer(
        r,
        holder=_public_structure(r),
        members=[_public_structure(members.get(m)) for m in member_ids],
        renewed_by=r.renewed_by,
        public_url=public_url,
    )
    answer["history"] = [
        {
            "on": _day(c.on),
            "status": c.to_status,
            "reason_code": c.reason_code,
            "reason": REASONS.get(c.reason_code, c.reason_code),
        }
        for c in rows
        if c.to_status is not None
    ]
    return json.dumps(answer, ensure_ascii=False, separators=(",", ":")).encode()


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


def verification_html(v: Verification | bytes) -> str:
    """The verification page a phone opens from the certificate's QR code (French), from the
    verification or its JSON answer."""
    if isinstance(v, bytes):
        v = Verification.model_validate_json(v)
    return (
        _pages()
        .get_template("verification.html")
        .render(
            v=v,
            colour="#1b7f3b" if v.status == "active" else "#b3261e",
            status_names=STATUS_NAMES,
        )
    )


async def certificate_view(
    session: AsyncSession, recognition: Recognition, *, verification: Verification
) -> CertificateView:
    """What the recognition's certificate shows: its holder and members as registered here."""
    structures = StructureRepository(session)
    holder = await structures.get(recognition.organisation_id)
    members = [await structures.get(m) for m in recognition.group_member_ids]
    return CertificateView(
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
    )
