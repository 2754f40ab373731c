"""Level rules as stored data: seeded from the shipped files, imported and exported through the
API (admin), listed, and chosen by the referential version of the evaluation they apply to.

A rule is kept per referential version (code + version), in revisions: importing a different
rule for a version adds a revision, which applies from then on to every open file; a decided
file keeps the evaluation (and the revision) it was decided with. Importing the same rule again
changes nothing. A file evaluated on a version without a rule gets no level, with that reason.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import yaml
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from cap_labelling.level_rules import rules
from cap_labelling.level_rules.repository import LevelRuleRepository
from cap_labelling.level_rules.rules import LevelRule
from cap_labelling.level_rules.schemas import LevelRulePublic
from cap_labelling.models import LevelRuleRevision, tables
from cap_shared import clock
from cap_shared.audit import record_change
from cap_shared.conditional import Precondition
from cap_shared.db.memo import TransactionMemo
from cap_shared.pagination import Page
from cap_shared.problems import NotFound, ProblemError

logger = logging.getLogger(__name__)
#: A rule file is a few kilobytes; anything much larger is not one.
MAX_BYTES = 256 * 1024


class LevelRuleInvalid(ProblemError):
    """The rule file is not a valid level rule; ``errors`` names each field."""

    status, code, title = 422, "level-rule-invalid", "Invalid level rule"
    title_fr = "Règle de niveau invalide"


@dataclass(frozen=True)
class StoredRule:
    """The rule that applies to a referential version, with its revision."""

    rule: LevelRule
    revision: int

    def reference(self) -> dict[str, Any]:
        """What a decided file records about the rule it was decided with."""
        return {
            "rule": self.rule.rule,
            "referential_code": self.rule.referential.code,
            "referential_version": self.rule.referential.version,
            "revision": self.revision,
        }


#: Parsed rules by (code, version, revision, digest): a stored revision never changes.
_PARSED: dict[tuple[str, int, int, str], LevelRule] = {}


def _body(message: str, message_fr: str) -> dict[str, str]:
    return {"field": "body", "message": message, "message_fr": message_fr}


def _invalid(errors: list[dict[str, str]]) -> LevelRuleInvalid:
    first = errors[0]
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    more_fr = f" (et {len(errors) - 1} autre(s))" if len(errors) > 1 else ""
    return LevelRuleInvalid(
        f"{first['field']}: {first['message']}{more}",
        # A message without French wording (a rule's own check) gives a French title only.
        detail_fr=f"{first['field']} : {first['message_fr']}{more_fr}"
        if first.get("message_fr")
        else None,
        extensions={"errors": errors[:100]},
    )


def validate(content: bytes, *, code: str, version: int) -> LevelRule:
    """The rule in ``content`` (YAML or JSON) for ``code`` version ``version``, or 422 naming
    each wrong field (``body.levels.1.min_score``)."""
    if len(content) > MAX_BYTES:
        raise _invalid([_body(f"larger than {MAX_BYTES} bytes", f"plus de {MAX_BYTES} octets")])
    try:
        data = _load(content.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise _invalid(
            [_body(f"not UTF-8 (byte {exc.start})", f"pas en UTF-8 (octet {exc.start})")]
        ) from exc
    except RecursionError as exc:
        raise _invalid([_body("nested too deeply", "trop profondément imbriqué")]) from exc
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        at = f" at line {where.line + 1}" if where is not None else ""
        at_fr = f" à la ligne {where.line + 1}" if where is not None else ""
        raise _invalid(
            [_body(f"not valid YAML or JSON{at}", f"YAML ou JSON invalide{at_fr}")]
        ) from exc
    if not isinstance(data, dict):
        raise _invalid(
            [
                _body(
                    "a rule is a mapping (YAML or JSON object)",
                    "une règle est un dictionnaire (objet YAML ou JSON)",
                )
            ]
        )
    try:
        rule = LevelRule.model_validate(data)
    except RecursionError as exc:  # a self-referencing YAML alias
        raise _invalid([_body("nested too deeply", "trop profondément imbriqué")]) from exc
    except ValidationError as exc:
        raise _invalid(
            [{**e, "field": f"body.{e['field']}"} for e in rules.field_errors(exc)]
        ) from exc
    errors = []
    if rule.referential.code != code:
        errors.append(
            {
                "field": "body.referential.code",
                "message": f"{rule.referential.code} is not {code}",
                "message_fr": f"{rule.referential.code} n'est pas {code}",
            }
        )
    if rule.referential.version != version:
        errors.append(
            {
                "field": "body.referential.version",
                "message": f"{rule.referential.version} is not {version}",
                "message_fr": f"{rule.referential.version} n'est pas {version}",
            }
        )
    if errors:
        raise _invalid(errors)
    return rule


def _load(text: str) -> Any:
    """YAML or JSON; JSON read as JSON first (YAML would take an escaped surrogate pair, an
    astral character, for two lone surrogates)."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return yaml.safe_load(text)


def json_schema() -> dict[str, Any]:
    """A rule file's JSON schema, self-contained (for the API description of the import)."""
    schema = LevelRule.model_json_schema()
    definitions = schema.pop("$defs", {})

    def inline(node: Any) -> Any:
        if isinstance(node, dict):
            if "$ref" in node:
                return inline(definitions[str(node["$ref"]).rsplit("/", 1)[-1]])
            return {key: inline(value) for key, value in node.items()}
        if isinstance(node, list):
            return [inline(value) for value in node]
        return node

    return dict(inline(schema))


def _document(rule: LevelRule) -> dict[str, Any]:
    return rule.model_dump(mode="json", exclude_defaults=False)


def _sha(document: dict[str, Any]) -> str:
    canonical = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _parsed(row: LevelRuleRevision) -> LevelRule:
    key = (row.referential_code, row.referential_version, row.revision, row.sha256)
    cached = _PARSED.get(key)
    if cached is None:
        cached = _PARSED[key] = LevelRule.model_validate(row.document)
    return cached


async def get(session: AsyncSession, *, code: str, version: int) -> LevelRuleRevision:
    """The latest revision of a stored rule, or 404."""
    row = await LevelRuleRepository(session).latest(code=code, version=version)
    if row is None:
        raise NotFound(
            f"no level rule for {code} version {version}",
            detail_fr=f"aucune règle de niveau pour {code} version {version}",
        )
    return row


#: The rules read in the session's transaction, by (code, version). A decision file's
#: evaluation needs its rule once per structure and once more for the group.
_CURRENT: TransactionMemo[tuple[str, int], StoredRule | None] = TransactionMemo("cap_level_rules")


async def current(session: AsyncSession, *, code: str, version: int) -> StoredRule | None:
    """The rule that applies to referential ``code`` version ``version`` (its latest revision),
    read once per transaction (:func:`store` forgets what was read)."""
    known = _CURRENT.known(session)
    if (code, version) in known:
        return known[(code, version)]
    row = await LevelRuleRepository(session).latest(code=code, version=version)
    rule = None if row is None else StoredRule(_parsed(row), row.revision)
    _CURRENT.put(session, (code, version), rule)
    return rule


async def current_of(
    session: AsyncSession, versions: Iterable[tuple[str, int]]
) -> dict[tuple[str, int], StoredRule | None]:
    """:func:`current` for each (code, version) of ``versions``: those not read in this
    transaction yet in one query (the files of a page)."""
    wanted = set(versions)
    known = _CURRENT.known(session)
    found = {v: known[v] for v in wanted if v in known}
    missing = sorted(wanted - found.keys())
    if missing:
        rows = await LevelRuleRepository(session).latest_of(missing)
        for version in missing:
            row = rows.get(version)
            rule = None if row is None else StoredRule(_parsed(row), row.revision)
            _CURRENT.put(session, version, rule)
            found[version] = rule
    return found


async def store(
    session: AsyncSession, rule: LevelRule, *, source: str, actor: str, now: datetime
) -> tuple[LevelRuleRevision, bool]:
    """Keep ``rule`` as its version's latest revision; (row, False) when it is unchanged."""
    _CURRENT.forget(session)  # a new revision may follow: read the rules anew
    document = _document(rule)
    sha = _sha(document)
    repository = LevelRuleRepository(session)
    latest = await repository.latest(code=rule.referential.code, version=rule.referential.version)
    if latest is not None and latest.sha256 == sha:
        return latest, False
    row = LevelRuleRevision(
        referential_code=rule.referential.code,
        referential_version=rule.referential.version,
        revision=(latest.revision + 1) if latest is not None else 1,
        rule=rule.rule,
        document=document,
        sha256=sha,
        source=source,
        imported_at=now,
        imported_by=actor,
    )
    await repository.add(row)
    await record_change(
        session,
        tables.audit_log,
        action="level_rule.seeded" if source == "shipped" else "level_rule.imported",
        record_type="level_rule",
        record_id=f"{row.referential_code}:{row.referential_version}",
        before=None if latest is None else _state(latest),
        after=_state(row),
    )
    return row, True


def _state(row: LevelRuleRevision) -> dict[str, Any]:
    """What the audit trail keeps of a level rule's revision (its document's digest)."""
    return {
        "referential_code": row.referential_code,
        "referential_version": row.referential_version,
        "revision": row.revision,
        "rule": row.rule,
        "sha256": row.sha256,
        "source": row.source,
        "imported_by": row.imported_by,
    }


async def seed(session: AsyncSession) -> list[str]:
    """Store the shipped rules of versions that have none yet (a data step after migrations:
    an imported rule is never overwritten by a later release's file)."""
    done = []
    for name, content in rules.shipped():
        rule = rules.parse(content)
        code, version = rule.referential.code, rule.referential.version
        if await LevelRuleRepository(session).latest(code=code, version=version) is not None:
            continue
        await store(session, rule, source="shipped", actor=f"system:{name}", now=clock.now())
        done.append(f"{code} v{version}")
    if done:
        logger.info("seeded the shipped level rules: %s", ", ".join(done))
    return done


def etag(row: LevelRuleRevision) -> str:
    """The ETag of a version's rule: its revision (the file export's and the import's)."""
    return f'"r{row.revision}"'


async def put(
    session: AsyncSession,
    content: bytes,
    *,
    code: str,
    version: int,
    actor: str,
    now: datetime,
    precondition: Precondition | None = None,
) -> tuple[LevelRuleRevision, bool]:
    """Import a rule for ``code`` version ``version`` (validated: 422 naming the field), on
    the revision If-Match names when ``precondition`` has one (412 otherwise)."""
    rule = validate(content, code=code, version=version)
    if precondition is not None:
        latest = await LevelRuleRepository(session).latest(code=code, version=version)
        if latest is None:
            precondition.check_absent()
        else:
            precondition.check(etag(latest))
    return await store(session, rule, source="import", actor=actor, now=now)


async def page(
    session: AsyncSession, *, referential_code: str | None, cursor: str | None, limit: int
) -> Page[LevelRulePublic]:
    """A page of the stored rules (their latest revisions), optionally of one referential."""
    rows, next_cursor = await LevelRuleRepository(session).page(
        referential_code=referential_code, cursor=cursor, limit=limit
    )
    return Page[LevelRulePublic](data=[to_public(r) for r in rows], next_cursor=next_cursor)


async def label_levels(session: AsyncSession, *, code: str) -> list[str]:
    """Every level name of any rule of referential ``code`` (what an imported label may hold)."""
    names: list[str] = []
    for row in await LevelRuleRepository(session).listed():
        if row.referential_code == code:
            names += [n for n in _parsed(row).names if n not in names]
    return names


def to_public(row: LevelRuleRevision) -> LevelRulePublic:
    """A stored rule's summary."""
    rule = _parsed(row)
    return LevelRulePublic(
        referential_code=row.referential_code,
        referential_version=row.referential_version,
        revision=row.revision,
        rule=row.rule,
        levels=rule.names,
        labels=rule.labels,
        label_from=rule.label_from,
        source=row.source,
        imported_at=row.imported_at,
        imported_by=row.imported_by,
        sha256=row.sha256,
    )


def export(row: LevelRuleRevision, *, as_json: bool) -> str:
    """The rule file of a stored revision, importable as is."""
    document = row.document
    if as_json:
        return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=100)
