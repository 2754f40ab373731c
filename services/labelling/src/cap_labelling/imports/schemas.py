"""API shapes of the import of existing recognitions: the report and the import history."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel


class RowError(BaseModel):
    """Why a line is rejected (one entry per problem found)."""

    line: int
    numero: str | None
    column: str | None
    reason: str


class RowOutcome(BaseModel):
    """What became (or would become) of a valid line."""

    line: int
    numero: str
    outcome: Literal["imported", "unchanged", "to_import"]
    recognition_id: str | None
    scheme: str
    status: str


class ImportReport(BaseModel):
    """What an import did (or would do) with each line of the file."""

    run_id: str | None
    filename: str
    sha256: str
    dry_run: bool
    #: Whether recognitions were written (false for a dry run and for a rejected file).
    written: bool
    rows: int
    #: Valid new lines: imported (``imported``) or to import (dry run, or a rejected file).
    to_import: int
    imported: int
    unchanged: int
    rejected: int
    errors: list[RowError]
    outcomes: list[RowOutcome]


class ImportRunPublic(BaseModel):
    """A past import (not a dry run) with its report."""

    id: str
    at: datetime
    by: str
    filename: str
    sha256: str
    dry_run: bool
    imported: int
    unchanged: int
    rejected: int
    report: ImportReport
