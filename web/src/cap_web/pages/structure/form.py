"""A theme's answers as its form holds them: read and checked from what was typed, sent to the
API as a batch, and the API's refusals put back on their criteria."""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import FormData

from cap_web.api import ApiProblem
from cap_web.pages.structure.common import clean, slug

_ANSWER_FIELD = re.compile(r"answers\.(\d+)\.(\w+)")
#: Status labels of the API's problems on a field of an answer.
_FIELD_NAMES = {
    "comment": "commentaire",
    "not_applicable_reason": "motif",
    "evidence": "preuves",
    "level": "niveau",
}


@dataclass
class Value:
    """One criterion's answer as the form shows it."""

    level: int | None = None
    na: bool = False
    reason: str = ""
    comment: str = ""
    evidence: list[dict[str, str]] = field(default_factory=list)

    @classmethod
    def of(cls, answer: dict[str, Any] | None) -> Value:
        """The answer the API holds (None: not answered yet)."""
        if not answer:
            return cls()
        return cls(
            level=answer.get("level"),
            na=bool(answer.get("not_applicable")),
            reason=answer.get("not_applicable_reason") or "",
            comment=answer.get("comment") or "",
            evidence=[
                {"title": str(e.get("title") or ""), "url": str(e.get("url") or "")}
                for e in answer.get("evidence") or []
            ],
        )

    def signature(self) -> str:
        """What tells two answers apart (the base the form was drawn from)."""
        return json.dumps(
            [self.level, self.na, self.reason.strip() if self.na else "", self.comment.strip(),
             [[e["title"], e["url"]] for e in self.evidence]],
            ensure_ascii=False,
        )  # fmt: skip

    @property
    def empty(self) -> bool:
        """Nothing chosen, said nor given."""
        return self.level is None and not self.na and not self.comment and not self.evidence

    @property
    def choice(self) -> str:
        """The radio button checked: ``na``, a level, or none."""
        return "na" if self.na else ("" if self.level is None else str(self.level))

    @property
    def evidence_text(self) -> str:
        """The evidence as typed in its text area, one ``title | link`` a line."""
        return "\n".join(
            f"{e['title']} | {e['url']}" if e["url"] and e["url"] != e["title"] else e["title"]
            for e in self.evidence
        )

    def describe(self, scale: dict[int, str]) -> str:
        """In words, for the conflict notice."""
        if self.na:
            head = f"non applicable ({self.reason.strip() or 'sans motif'})"
        elif self.level is None:
            head = "pas de niveau"
        else:
            head = f"niveau {self.level} — {scale.get(self.level, '')}".rstrip(" —")
        if self.comment.strip():
            head += f" ; commentaire : « {self.comment.strip()} »"
        if self.evidence:
            head += f" ; {len(self.evidence)} preuve(s)"
        return head


def _parse_evidence(text: str) -> tuple[list[dict[str, str]], str | None]:
    """The evidence typed one a line, and what is wrong with it."""
    out: list[dict[str, str]] = []
    for raw in clean(text).splitlines():
        line = raw.strip()
        if not line:
            continue
        if "|" in line:
            title, url = (part.strip() for part in line.split("|", 1))
        elif re.fullmatch(r"https?://\S+", line):
            title, url = line, line
        else:
            title, url = line, ""
        if url and not re.fullmatch(r"https?://[^\s<>\"]+", url):
            return out, f"« {url[:80]} » n'est pas un lien web (il commence par https://)."
        if len(title) > 300:
            return out, "Le titre d'une preuve dépasse 300 caractères."
        out.append({"title": title or url, "url": url})
    if len(out) > 50:
        return out, "50 preuves au plus par critère."
    return out, None


def read_form(
    form: FormData, criteria: list[dict[str, Any]]
) -> tuple[dict[str, Value], dict[str, str]]:
    """The theme's answers as typed, and the French message of each invalid one."""
    values: dict[str, Value] = {}
    errors: dict[str, str] = {}
    for criterion in criteria:
        key = slug(criterion["code"])
        choice = str(form.get(f"level-{key}") or "")
        value = Value(
            reason=clean(str(form.get(f"reason-{key}") or "")),
            comment=clean(str(form.get(f"comment-{key}") or "")),
        )
        value.evidence, problem = _parse_evidence(str(form.get(f"evidence-{key}") or ""))
        if choice == "na":
            value.na = True
            if not value.reason:
                problem = "Indiquez pourquoi ce critère ne s'applique pas à votre structure."
        elif choice:
            top = max((s["value"] for s in criterion.get("scale") or []), default=4)
            if not choice.isdigit() or not 0 <= int(choice) <= top:
                problem = f"Choisissez un niveau entre 0 et {top}."
            else:
                value.level = int(choice)
        if len(value.comment) > 4000:
            problem = "Le commentaire dépasse 4 000 caractères."
        if len(value.reason) > 2000:
            problem = "Le motif dépasse 2 000 caractères."
        values[criterion["urn"]] = value
        if problem:
            errors[criterion["urn"]] = problem
    return values, errors


def _answer_id(diagnostic_id: str, urn: str, stored: dict[str, Any] | None) -> str:
    """The answer's id: the stored one, else one derived from the criterion (a retry is one)."""
    if stored and stored.get("id"):
        return str(stored["id"])
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"cap-console:{diagnostic_id}:{urn}"))


def payload(
    diagnostic_id: str, urn: str, value: Value, stored: dict[str, Any] | None
) -> dict[str, Any]:
    """One answer of the batch sent to ``PUT /v1/diagnostics/{id}/answers``."""
    item: dict[str, Any] = {
        "id": _answer_id(diagnostic_id, urn, stored),
        "criterion": urn,
        "level": None if value.na else value.level,
        "not_applicable": value.na,
        "not_applicable_reason": value.reason if value.na else None,
        "comment": value.comment or None,
        "evidence": [
            {"title": e["title"], **({"url": e["url"]} if e["url"] else {})} for e in value.evidence
        ],
    }
    return item


def map_api_errors(problem: ApiProblem, sent: list[str]) -> dict[str, str]:
    """The API's field errors on the batch ``sent``, in French, by criterion URN."""
    out: dict[str, str] = {}
    for error in problem.errors:
        found = _ANSWER_FIELD.search(str(error.get("field") or ""))
        message = str(error.get("message_fr") or error.get("message") or "")
        if found and int(found.group(1)) < len(sent):
            name = _FIELD_NAMES.get(found.group(2), found.group(2))
            out.setdefault(sent[int(found.group(1))], f"{name.capitalize()} : {message}")
    return out
