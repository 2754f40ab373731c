"""API shapes of the problem-type catalogue."""

from __future__ import annotations

from pydantic import BaseModel, Field


class ProblemTypePublic(BaseModel):
    """A problem type of the catalogue: what a problem whose ``type`` is ``type`` means."""

    type: str = Field(description="The `type` member of its problems")
    code: str = Field(description="The stable short code (the last segment of `type`)")
    status: int = Field(description="The HTTP status it is answered with")
    statuses: list[int] | None = Field(
        default=None, description="Every status, when it is answered with more than one"
    )
    title: str = Field(description="Its title in English")
    title_fr: str = Field(description="Its title in French (`Accept-Language: fr`)")
    description: str = Field(description="What it means")
    operations: list[str] = Field(description="The operation ids that may answer it")


class ProblemTypes(BaseModel):
    """A page of the problem types the platform answers, by code."""

    data: list[ProblemTypePublic]
    next_cursor: str | None = None
