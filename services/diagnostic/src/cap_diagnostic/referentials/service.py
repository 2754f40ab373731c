"""Use cases of the referential library: import (admin), publication (admin), read, the
differences between two versions, export, and the shipped files.

An imported version is **not yet published**: it can be read, compared and exported, but new
diagnostics default to the latest *published* version and only a published version can be
chosen for a new diagnostic or a migration. The shipped files are published as they are
imported (at migration time)."""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from dataclasses import dataclass
from importlib import resources
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from cap_diagnostic.models import ReferentialVersion, tables
from cap_diagnostic.referentials import loader
from cap_diagnostic.referentials.differences import differences
from cap_diagnostic.referentials.model import ResolvedCriterion, ResolvedReferential
from cap_diagnostic.referentials.repository import ReferentialRepository
from cap_diagnostic.referentials.schema import ReferentialFile
from cap_shared import clock
from cap_shared.audit import record_change
from cap_shared.problems import Conflict, InvalidInput, NotFound

logger = logging.getLogger(__name__)

#: The referentials shipped with the service, in import order (a file's bases first).
LIBRARY = ("cap-v1.yaml", "cap-rse-v1.yaml", "cap-iso9001-v1.yaml")


class VersionNotNewer(Conflict):
    """A referential version is imported once, and only forward."""

    code, title = "referential-version-not-newer", "Referential version not newer"
    title_fr = "Version de référentiel pas plus récente"


class VersionNotPublished(Conflict):
    """A version still to publish is not offered for diagnostics."""

    code, title = "referential-not-published", "Referential version not published"
    title_fr = "Version de référentiel non publiée"


class VersionSuperseded(Conflict):
    """Publication goes forward: a version older than the published one stays unpublished."""

    code, title = "referential-version-superseded", "Referential version superseded"
    title_fr = "Version de référentiel dépassée"


@dataclass(frozen=True)
class Imported:
    """An imported version and what it changed."""

    version: ReferentialVersion
    resolved: ResolvedReferential


_CACHE: dict[str, ResolvedReferential] = {}


async def resolved(session: AsyncSession, referential_id: str) -> ResolvedReferential:
    """The resolved form of a stored version (cached: a stored version never changes)."""
    cached = _CACHE.get(referential_id)
    if cached is not None:
        return cached
    stored = await ReferentialRepository(session).get(referential_id)
    if stored is None:
        raise NotFound(
            "no such referential version", detail_fr="version de référentiel introuvable"
        )
    result = await _resolve_stored(session, stored)
    _CACHE[referential_id] = result
    return result


async def _resolve_stored(session: AsyncSession, stored: ReferentialVersion) -> ResolvedReferential:
    doc = ReferentialFile.model_validate(stored.document)
    bases = await _bases(session, doc)
    return loader.resolve(doc, f"{stored.code}-v{stored.version}", bases)


async def _bases(
    session: AsyncSession, doc: ReferentialFile
) -> dict[tuple[str, int], ResolvedReferential]:
    repo = ReferentialRepository(session)
    bases: dict[tuple[str, int], ResolvedReferential] = {}
    for urn, version in loader.extended(doc):
        base = await repo.by_urn(urn, version)
        if base is not None:
            bases[(urn, version)] = await resolved(session, base.id)
    return bases


async def import_file(
    session: AsyncSession,
    content: bytes,
    *,
    filename: str,
    actor: str | None,
    publish: bool = False,
) -> Imported:
    """Validate and store a new version; record what changed against the previous one."""
    doc = loader.parse(content, filename)
    repo = ReferentialRepository(session)
    latest = await repo.latest_of(doc.urn)
    if latest is not None and doc.version <= latest.version:
        raise VersionNotNewer(
            f"{doc.urn} version {doc.version} is not newer than the imported version "
            f"{latest.version}",
            detail_fr=(
                f"{doc.urn} version {doc.version} n'est pas plus récente que la "
                f"version importée {latest.version}"
            ),
            extensions={"latest_version": latest.version},
        )
    same_code = await repo.by_code(doc.code)
    if same_code is not None and same_code.urn != doc.urn:
        raise Conflict(
            f"code {doc.code} already belongs to {same_code.urn}",
            detail_fr=f"le code {doc.code} appartient déjà à {same_code.urn}",
        )
    result = loader.resolve(doc, filename, await _bases(session, doc))
    changes: dict[str, Any] | None = None
    if latest is not None:
        changes = loader.changes(await resolved(session, latest.id), result)
    version = ReferentialVersion(
        id=str(uuid.uuid4()),
        urn=doc.urn,
        code=doc.code,
        version=doc.version,
        name=doc.name,
        status=doc.status.value,
        published_on=doc.published_on,
        document=doc.model_dump(mode="json"),
        changes=changes,
        imported_by=actor,
        published_at=clock.now() if publish else None,
        published_by=actor if publish else None,
    )
    await repo.add(version)
    await record_change(
        session,
        tables.audit_log,
        action="referential.imported",
        record_type="referential",
        record_id=version.id,
        before=None,
        after={
            **_state(version),
            "changes": (
                {k: len(v) for k, v in changes.items() if isinstance(v, list)} if changes else None
            ),
        },
    )
    return Imported(version, result)


def _state(version: ReferentialVersion) -> dict[str, Any]:
    """What the audit trail keeps of a referential version (not its whole document)."""
    return {
        "urn": version.urn,
        "code": version.code,
        "version": version.version,
        "name": version.name,
        "status": version.status,
        "published_on": version.published_on,
        "published_at": version.published_at,
        "published_by": version.published_by,
        # The file itself is kept on the row; its digest here shows it was never changed.
        "document_sha256": hashlib.sha256(
            json.dumps(version.document, sort_keys=True, separators=(",", ":")).encode()
        ).hexdigest(),
    }


async def import_library(session: AsyncSession) -> list[str]:
    """Import the shipped referentials not yet imported (at migration time); their codes."""
    repo = ReferentialRepository(session)
    done = []
    for name in LIBRARY:
        content = (
            resources.files("cap_diagnostic.referentials").joinpath("library", name).read_bytes()
        )
        doc = loader.parse(content, name)
        latest = await repo.latest_of(doc.urn)
        if latest is not None and latest.version >= doc.version:
            continue
        await import_file(session, content, filename=name, actor="system:library", publish=True)
        done.append(f"{doc.code} v{doc.version}")
    if done:
        logger.info("imported shipped referentials: %s", ", ".join(done))
    return done


async def get_version(
    session: AsyncSession, code: str, *, version: int | None
) -> ReferentialVersion:
    """A stored version by code (the latest *published* when ``version`` is None), or 404."""
    found = await ReferentialRepository(session).by_code(
        code, version, published_only=version is None
    )
    if found is None:
        what = f"{code} version {version}" if version is not None else code
        raise NotFound(f"no referential {what}", detail_fr=f"aucun référentiel {what}")
    return found


async def usable_version(
    session: AsyncSession, code: str, *, version: int | None
) -> ReferentialVersion:
    """The version a diagnostic may be opened on or migrated to: a published one (409 else)."""
    found = await get_version(session, code, version=version)
    if found.published_at is None:
        raise VersionNotPublished(
            f"{code} version {found.version} is imported but not published yet",
            detail_fr=(
                f"la version {found.version} de {code} est importée mais pas encore publiée : "
                "un administrateur doit la publier avant qu'un diagnostic l'utilise"
            ),
            extensions={"version": found.version},
        )
    return found


async def publish(
    session: AsyncSession, code: str, *, version: int, actor: str
) -> ReferentialVersion:
    """Publish a version (admin): new diagnostics default to it from now on. Publishing a
    published version changes nothing; one older than the latest published is refused (409)."""
    stored = await get_version(session, code, version=version)
    if stored.published_at is not None:
        return stored
    latest = await ReferentialRepository(session).by_code(code, published_only=True)
    if latest is not None and latest.version > stored.version:
        raise VersionSuperseded(
            f"{code} version {latest.version} is published: version {stored.version} is older",
            detail_fr=(
                f"la version {latest.version} de {code} est déjà publiée : la version "
                f"{stored.version}, plus ancienne, ne peut plus l'être"
            ),
            extensions={"published_version": latest.version},
        )
    before = _state(stored)
    stored.published_at = clock.now()
    stored.published_by = actor[:200]
    await ReferentialRepository(session).save(stored)
    await record_change(
        session,
        tables.audit_log,
        action="referential.published",
        record_type="referential",
        record_id=stored.id,
        before=before,
        after=_state(stored),
    )
    return stored


async def compare(
    session: AsyncSession, code: str, *, from_version: int, to_version: int
) -> dict[str, Any]:
    """The differences between two versions of the referential ``code``, field by field."""
    if from_version == to_version:
        raise InvalidInput(
            "compare two different versions",
            detail_fr="choisissez deux versions différentes à comparer",
            extensions={
                "errors": [
                    {
                        "field": "query.to_version",
                        "message": "must differ from from_version",
                        "message_fr": "doit être différente de la version de départ",
                    }
                ]
            },
        )
    old = await get_version(session, code, version=from_version)
    new = await get_version(session, code, version=to_version)
    return differences(await resolved(session, old.id), await resolved(session, new.id))


async def list_versions(session: AsyncSession) -> list[ReferentialVersion]:
    """Every imported version."""
    return list(await ReferentialRepository(session).list())


async def known_criteria(session: AsyncSession) -> dict[str, ResolvedCriterion]:
    """Every criterion of every imported version, by URN (a later version's definition wins)."""
    criteria: dict[str, ResolvedCriterion] = {}
    for stored in await list_versions(session):  # ordered by code, then version
        criteria.update((await resolved(session, stored.id)).criteria)
    return criteria


def export(stored: ReferentialVersion, *, as_json: bool) -> str:
    """The file of a stored version, ready to import elsewhere."""
    return loader.dump(ReferentialFile.model_validate(stored.document), as_json=as_json)
