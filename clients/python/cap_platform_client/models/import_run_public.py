from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.import_report import ImportReport


T = TypeVar("T", bound="ImportRunPublic")


@_attrs_define
class ImportRunPublic:
    """A past import (not a dry run) with its report.

    Attributes:
        at (datetime.datetime):
        by (str):
        dry_run (bool):
        filename (str):
        id (str):
        imported (int):
        rejected (int):
        report (ImportReport): What an import did (or would do) with each line of the file.
        sha256 (str):
        unchanged (int):
    """

    at: datetime.datetime
    by: str
    dry_run: bool
    filename: str
    id: str
    imported: int
    rejected: int
    report: ImportReport
    sha256: str
    unchanged: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        at = self.at.isoformat()

        by = self.by

        dry_run = self.dry_run

        filename = self.filename

        id = self.id

        imported = self.imported

        rejected = self.rejected

        report = self.report.to_dict()

        sha256 = self.sha256

        unchanged = self.unchanged

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "at": at,
                "by": by,
                "dry_run": dry_run,
                "filename": filename,
                "id": id,
                "imported": imported,
                "rejected": rejected,
                "report": report,
                "sha256": sha256,
                "unchanged": unchanged,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.import_report import ImportReport  # noqa: PLC0415

        d = dict(src_dict)
        at = datetime.datetime.fromisoformat(d.pop("at"))

        by = d.pop("by")

        dry_run = d.pop("dry_run")

        filename = d.pop("filename")

        id = d.pop("id")

        imported = d.pop("imported")

        rejected = d.pop("rejected")

        report = ImportReport.from_dict(d.pop("report"))

        sha256 = d.pop("sha256")

        unchanged = d.pop("unchanged")

        import_run_public = cls(
            at=at,
            by=by,
            dry_run=dry_run,
            filename=filename,
            id=id,
            imported=imported,
            rejected=rejected,
            report=report,
            sha256=sha256,
            unchanged=unchanged,
        )

        import_run_public.additional_properties = d
        return import_run_public

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
