"""API shapes of the resource catalogue and of a diagnostic's recommendations."""

from __future__ import annotations

from typing import Literal

from pydantic import AnyHttpUrl, BaseModel, Field

from cap_diagnostic.fields import Strict
from cap_shared.partial import NotNull
from cap_shared.text import Text

ResourceKind = Literal["guide", "training", "tool", "contact", "event"]


class ResourceCreate(BaseModel):
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


class ResourcePublic(BaseModel):
    """A catalogue entry (``rank``: its relevance when searched by words)."""

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
    """A resource recommended for a diagnostic, with its relevance."""

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
    """Per gap (largest expected gain first) and overall (most useful resources first).

    A computed view of one diagnostic, not a list endpoint: its lists are bounded by the
    referential's criteria and the catalogue, and come whole (docs/api/lists.md)."""

    gaps: list[GapRecommendation]
    resources: list[RecommendedResource]
