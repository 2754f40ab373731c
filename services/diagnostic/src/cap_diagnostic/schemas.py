"""Request and response bodies of the diagnostic service's API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    AnyHttpUrl,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)
from pydantic_core import PydanticCustomError

from cap_diagnostic.lifecycle import KeyFigures
from cap_diagnostic.referentials.schema import MAX_VERSION
from cap_shared.text import Text

Strict = ConfigDict(extra="forbid")
#: A platform account id (the gateway's user ids are UUIDs).
UUID_PATTERN = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
#: An id in a path, a query or a body (UUIDs here): nothing else reaches a query, so a control
#: character gets a 422, not a database error.
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:\-]*$"
#: Free text in a query string: no control character (PostgreSQL cannot even compare a NUL).
PRINTABLE_PATTERN = r"^[^\x00-\x1f\x7f]*$"


def _present(value: Any) -> Any:
    """An explicitly sent value; null is refused (the field is omitted to leave it unchanged)."""
    if value is None:
        raise PydanticCustomError(
            "not_null", "may not be null: omit the field to leave it unchanged"
        )
    return value


def _without_null(schema: dict[str, Any]) -> None:
    """The field's JSON Schema without its null alternative: it is omitted, never null."""
    options = [s for s in schema.pop("anyOf", []) if s.get("type") != "null"]
    if len(options) == 1:
        schema.update(options[0])
    elif options:
        schema["anyOf"] = options
    schema.pop("default", None)


T = TypeVar("T")
#: A field of an update whose column is NOT NULL: omitted, it is left as it is; sent as null, it
#: is a 422 naming it (never a database error, never silently ignored).
NotNull = Annotated[T | None, BeforeValidator(_present), Field(json_schema_extra=_without_null)]


# referentials ------------------------------------------------------------------------------
class ReferentialSummary(BaseModel):
    """An imported referential version."""

    id: str
    urn: str
    code: str
    version: int
    name: str
    status: str
    published_on: date
    imported_at: datetime
    criteria_count: int
    extends: list[dict[str, Any]]


class ReferentialImported(ReferentialSummary):
    """An import's result: the version and what it changed against the previous one."""

    changes: dict[str, Any] | None


class LevelOut(BaseModel):
    value: int
    name: str
    description: str


class CriterionOut(BaseModel):
    """A criterion as clients show it for rating."""

    urn: str
    code: str
    name: str
    guidance: str
    evidence_examples: list[str]
    indicators: list[dict[str, Any]]
    action_templates: list[dict[str, Any]]
    weight: float
    kind: str
    core: bool
    scale: list[LevelOut]
    mappings: list[dict[str, str]]
    origin: str


class ThemeOut(BaseModel):
    urn: str
    code: str
    name: str
    description: str
    criteria: list[CriterionOut]


class ReferentialDetail(ReferentialSummary):
    """A version with its resolved themes and criteria (the reused ones included)."""

    description: str
    status_note: str | None
    bands: list[dict[str, Any]]
    frameworks: list[dict[str, Any]]
    themes: list[ThemeOut]
    changes: dict[str, Any] | None


# diagnostics -------------------------------------------------------------------------------
class Participant(BaseModel):
    """Someone taking part in the session (no personal data needed beyond a display name)."""

    model_config = Strict

    name: Text | None = Field(default=None, max_length=200)
    category: Literal["staff", "volunteer", "employee_in_pathway", "board", "partner"]
    role: Text | None = Field(default=None, max_length=200)


FacilitatorIds = Annotated[
    list[Annotated[str, StringConstraints(pattern=UUID_PATTERN)]],
    Field(
        max_length=10,
        description="Platform accounts (user ids) of the facilitators who ran a CAP session; "
        "set by an admin only (a facilitator is recorded by acting on the session)",
    ),
]


class DiagnosticCreate(BaseModel):
    """Open a diagnostic."""

    model_config = Strict

    organisation_id: str = Field(max_length=36, pattern=ID_PATTERN)
    referential_code: str = Field(default="CAP", max_length=40, pattern=r"^[A-Za-z0-9._\-]+$")
    referential_version: int | None = Field(
        default=None, ge=1, le=MAX_VERSION, description="Latest when absent"
    )
    #: Only the structure's own assessments are opened; an audit evaluation is recorded from
    #: the auditor's report (``evaluations.py``).
    kind: Literal["cap_session", "self_assessment"] = "cap_session"
    title: Text | None = Field(default=None, max_length=200)
    session_date: date | None = None
    facilitator: Text | None = Field(default=None, max_length=200)
    facilitator_user_ids: FacilitatorIds | None = None
    participants: list[Participant] = Field(default_factory=list, max_length=200)


class DiagnosticUpdate(BaseModel):
    """Session details, while the diagnostic is editable (an omitted field is left as it is)."""

    model_config = Strict

    title: NotNull[Text] = Field(default=None, max_length=200)
    session_date: date | None = None
    facilitator: Text | None = Field(default=None, max_length=200)
    facilitator_user_ids: NotNull[FacilitatorIds] = None
    participants: NotNull[list[Participant]] = Field(default=None, max_length=200)


class Evidence(BaseModel):
    """A link to a document or record that supports a rating."""

    model_config = Strict

    title: Text = Field(min_length=1, max_length=300)
    url: AnyHttpUrl | None = None


class AnswerIn(BaseModel):
    """One criterion's rating; ``id`` is generated by the client (UUID) for offline sync."""

    model_config = Strict

    id: str = Field(pattern=r"^[0-9a-fA-F-]{36}$", description="Client-generated UUID")
    criterion: Text = Field(max_length=200, description="Criterion URN")
    level: int | None = Field(default=None, ge=0, le=10)
    not_applicable: bool = False
    not_applicable_reason: Text | None = Field(default=None, max_length=2000)
    comment: Text | None = Field(default=None, max_length=4000)
    evidence: list[Evidence] = Field(default_factory=list, max_length=50)
    carried_from: str | None = Field(default=None, max_length=36, pattern=ID_PATTERN)

    @model_validator(mode="after")
    def _na(self) -> AnswerIn:
        if self.not_applicable:
            if self.level is not None:
                raise ValueError("a not-applicable answer has no level")
            if not (self.not_applicable_reason or "").strip():
                raise ValueError("not_applicable needs a not_applicable_reason")
        return self


class AnswersIn(BaseModel):
    """A batch of answers (created or replaced by criterion)."""

    model_config = Strict

    answers: list[AnswerIn] = Field(min_length=1, max_length=500)


class AnswerOut(BaseModel):
    id: str
    criterion: str
    code: str | None
    level: int | None
    not_applicable: bool
    not_applicable_reason: str | None
    comment: str | None
    evidence: list[dict[str, Any]]
    carried_from: str | None
    updated_by: str
    updated_at: datetime


class DiagnosticOut(BaseModel):
    """A diagnostic, its progress and what can be done next."""

    id: str
    organisation_id: str
    referential: dict[str, Any]
    kind: str
    status: str
    title: str
    session_date: date | None
    facilitator: str | None
    facilitator_user_ids: list[str] = Field(
        default_factory=list,
        description="A CAP session's facilitators as platform accounts (published with its "
        "completion: an accompaniment engagement of each)",
    )
    facilitator_accounts: list[dict[str, Any]] = Field(
        default_factory=list,
        description="How each was recorded: {user_id, how: acted | named, by, at}",
    )
    participants: list[dict[str, Any]]
    key_figures: dict[str, Any] | None
    revision: int
    progress: dict[str, int]
    allowed_actions: list[str]
    overall_score: int | None
    overall_band: str | None
    created_by: str
    created_at: datetime
    completed_at: datetime | None
    migrations: list[dict[str, Any]]
    audit_id: str | None = Field(
        default=None, description="An audit evaluation's audit (kind audit_evaluation)"
    )
    audit_evaluation: dict[str, Any] | None = Field(
        default=None,
        description="An audit evaluation's record: the audit, the site (null: the audited "
        "organisation), the criteria the auditor rated, judged not applicable or left unrated, "
        "and the entries ignored",
    )


class Suggestion(BaseModel):
    """An answer from an earlier diagnostic on a shared criterion, offered for reuse."""

    criterion: str
    code: str
    level: int | None
    not_applicable: bool
    not_applicable_reason: str | None
    comment: str | None
    evidence: list[dict[str, Any]]
    from_diagnostic: str
    from_referential: str
    completed_at: datetime | None


class MigrateIn(BaseModel):
    """Move a running diagnostic to another version of its referential."""

    model_config = Strict

    version: int = Field(ge=1, le=MAX_VERSION)
    strategy: Literal["keep", "reset", "rescale"] = Field(
        description="For criteria whose scale changed: keep the level (clamped to the new "
        "scale), reset it (to rate again), or rescale it proportionally"
    )


KeyFiguresIn = KeyFigures


# progress plans ------------------------------------------------------------------------------
Priority = Literal["low", "medium", "high"]


class ActionCreate(BaseModel):
    """An action added by hand to a plan."""

    model_config = Strict

    title: Text = Field(min_length=1, max_length=300)
    description: Text = Field(default="", max_length=8000)
    criterion: Text | None = Field(default=None, max_length=200, description="Criterion URN")
    owner: Text | None = Field(default=None, max_length=200)
    due_date: date | None = None
    priority: Priority = "medium"


class ActionUpdate(BaseModel):
    """Owner, due date, priority or wording of an action (an omitted field is left as it is;
    owner and due date are cleared with null)."""

    model_config = Strict

    title: NotNull[Text] = Field(default=None, min_length=1, max_length=300)
    description: NotNull[Text] = Field(default=None, max_length=8000)
    owner: Text | None = Field(default=None, max_length=200)
    due_date: date | None = None
    priority: NotNull[Priority] = None


class ActionStepIn(BaseModel):
    """A lifecycle step of an action, with an optional note kept as a review."""

    model_config = Strict

    step: Literal["plan", "start", "complete", "verify", "reopen", "cancel"]
    note: Text | None = Field(default=None, max_length=4000)


class ReviewIn(BaseModel):
    """A follow-up review of an action."""

    model_config = Strict

    note: Text = Field(min_length=1, max_length=4000)
    progress: int | None = Field(default=None, ge=0, le=100, description="Percent done")


class ReviewOut(BaseModel):
    id: str
    note: str
    progress: int | None
    status_after: str
    reviewed_by: str
    reviewed_at: datetime


class ActionOut(BaseModel):
    """A progress action; ``overdue`` is derived from the due date."""

    id: str
    plan_id: str
    organisation_id: str
    title: str
    description: str
    criterion: str | None
    criterion_code: str | None
    theme_code: str | None
    owner: str | None
    due_date: date | None
    priority: str
    status: str
    overdue: bool
    source: str
    source_ref: str
    expected_gain: float | None
    allowed_steps: list[str]
    created_at: datetime
    completed_at: datetime | None
    verified_at: datetime | None


class ActionDetail(ActionOut):
    """An action with its follow-up reviews."""

    reviews: list[ReviewOut]


class PlanOut(BaseModel):
    """An organisation's progress plan."""

    id: str
    organisation_id: str
    diagnostic_id: str | None
    counts: dict[str, int]
    overdue: int
    actions: list[ActionOut]


# resources -------------------------------------------------------------------------------------
ResourceKind = Literal["guide", "training", "tool", "contact", "event"]


class ResourceIn(BaseModel):
    """A catalogue entry, as an admin writes it."""

    model_config = Strict

    code: str = Field(pattern=r"^[A-Z0-9][A-Z0-9\-]*$", max_length=60)
    kind: ResourceKind
    title: Text = Field(min_length=1, max_length=200)
    summary: Text = Field(min_length=1, max_length=500)
    description: Text = Field(min_length=1, max_length=4000)
    url: AnyHttpUrl | None = None
    contact: Text | None = Field(default=None, max_length=300)
    duration: Text | None = Field(default=None, max_length=60)
    criteria: list[Text] = Field(default_factory=list, max_length=30)
    themes: list[Text] = Field(default_factory=list, max_length=20)
    tags: list[Text] = Field(default_factory=list, max_length=20)
    published: bool = True


class ResourceUpdate(BaseModel):
    """Fields of a catalogue entry to change (an omitted field is left as it is; url, contact
    and duration are cleared with null)."""

    model_config = Strict

    kind: NotNull[ResourceKind] = None
    title: NotNull[Text] = Field(default=None, min_length=1, max_length=200)
    summary: NotNull[Text] = Field(default=None, min_length=1, max_length=500)
    description: NotNull[Text] = Field(default=None, min_length=1, max_length=4000)
    url: AnyHttpUrl | None = None
    contact: Text | None = Field(default=None, max_length=300)
    duration: Text | None = Field(default=None, max_length=60)
    criteria: NotNull[list[Text]] = Field(default=None, max_length=30)
    themes: NotNull[list[Text]] = Field(default=None, max_length=20)
    tags: NotNull[list[Text]] = Field(default=None, max_length=20)
    published: NotNull[bool] = None


class ResourceOut(BaseModel):
    id: str
    code: str
    kind: str
    title: str
    summary: str
    description: str
    url: str | None
    contact: str | None
    duration: str | None
    criteria: list[str]
    themes: list[str]
    tags: list[str]
    published: bool
    rank: float | None = None


class RecommendedResource(BaseModel):
    id: str
    code: str
    kind: str
    title: str
    summary: str
    relevance: float


class GapRecommendation(BaseModel):
    """A weak criterion, what raising it is worth, and the resources that help."""

    criterion: str
    code: str
    name: str
    theme_code: str
    level: int
    target_level: int
    expected_gain: float
    resources: list[RecommendedResource]


class Recommendations(BaseModel):
    """Per gap (largest expected gain first) and overall (most useful resources first)."""

    gaps: list[GapRecommendation]
    resources: list[RecommendedResource]
