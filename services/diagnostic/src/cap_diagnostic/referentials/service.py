"""Use cases of the referential library: import (admin), read, export, and the shipped files."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from importlib import resources
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from cap_diagnostic.models import ReferentialVersion
from cap_diagnostic.referentials import loader
from cap_diagnostic.referentials.model import ResolvedCriterion, ResolvedReferential
from cap_diagnostic.referentials.repository import ReferentialRepository
from cap_diagnostic.referentials.schema import ReferentialFile
from cap_shared.problems import Conflict, NotFound

logger = logging.getLogger(__name__)

#: The referentials shipped with the service, in import order (a file's bases first).
LIBRARY = ("cap-v1.yaml", "cap-rse-v1.yaml", "cap-iso9001-v1.yaml")


class VersionNotNewer(Conflict):
    """A referential version is imported once, and only forward."""

    code, title = "referential-version-not-newer", "Referential version not newer"
    title_fr = "Version de référentiel pas plus récente"


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
    session: AsyncSession, content: bytes, *, filename: str, actor: str | None
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
    )
    await repo.add(version)
    return Imported(version, result)


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
        await import_file(session, content, filename=name, actor="system:library")
        done.append(f"{doc.code} v{doc.version}")
    if done:
        logger.info("imported shipped referentials: %s", ", ".join(done))
    return done


async def get_version(
    session: AsyncSession, code: str, *, version: int | None
) -> ReferentialVersion:
    """A stored version by code (latest when ``version`` is None), or 404."""
    found = await ReferentialRepository(session).by_code(code, version)
    if found is None:
        what = f"{code} version {version}" if version is not None else code
        raise NotFound(f"no referential {what}", detail_fr=f"aucun référentiel {what}")
    return found


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
