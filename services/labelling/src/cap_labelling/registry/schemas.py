"""API shapes of the public registry: its entries, a verification, the search's filters."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from cap_shared.contracts.identity import SiaeType
from cap_shared.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from cap_shared.sync import SyncPage
from cap_shared.text import Text


class PublicStructure(BaseModel):
    """A structure as the registry shows it: public facts only."""

    name: str
    region: str
    region_name: str
    siae_types: list[str]


class PublicChange(BaseModel):
    """A change of a recognition's status, with its public reason."""

    on: date
    status: str
    reason_code: str
    reason: str


class RegistryEntry(BaseModel):
    """A listed recognition."""

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
    """A listed recognition with its public history."""

    history: list[PublicChange]


class SearchQuery(BaseModel):
    """The registry search's filters and page."""

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


class RegistryPage(SyncPage[RegistryEntry]):
    """A page of the registry (``deleted``: with ``updated_since`` only)."""
