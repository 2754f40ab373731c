from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.row_error import RowError
    from ..models.row_outcome import RowOutcome


T = TypeVar("T", bound="ImportReport")


@_attrs_define
class ImportReport:
    """What an import did (or would do) with each line of the file.

    Attributes:
        dry_run (bool):
        errors (list[RowError]):
        filename (str):
        imported (int):
        outcomes (list[RowOutcome]):
        rejected (int):
        rows (int):
        run_id (None | str):
        sha256 (str):
        to_import (int):
        unchanged (int):
        written (bool):
    """

    dry_run: bool
    errors: list[RowError]
    filename: str
    imported: int
    outcomes: list[RowOutcome]
    rejected: int
    rows: int
    run_id: None | str
    sha256: str
    to_import: int
    unchanged: int
    written: bool
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        dry_run = self.dry_run

        errors = []
        for errors_item_data in self.errors:
            errors_item = errors_item_data.to_dict()
            errors.append(errors_item)

        filename = self.filename

        imported = self.imported

        outcomes = []
        for outcomes_item_data in self.outcomes:
            outcomes_item = outcomes_item_data.to_dict()
            outcomes.append(outcomes_item)

        rejected = self.rejected

        rows = self.rows

        run_id: None | str
        run_id = self.run_id

        sha256 = self.sha256

        to_import = self.to_import

        unchanged = self.unchanged

        written = self.written

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "dry_run": dry_run,
                "errors": errors,
                "filename": filename,
                "imported": imported,
                "outcomes": outcomes,
                "rejected": rejected,
                "rows": rows,
                "run_id": run_id,
                "sha256": sha256,
                "to_import": to_import,
                "unchanged": unchanged,
                "written": written,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.row_error import RowError  # noqa: PLC0415
        from ..models.row_outcome import RowOutcome  # noqa: PLC0415

        d = dict(src_dict)
        dry_run = d.pop("dry_run")

        errors = []
        _errors = d.pop("errors")
        for errors_item_data in _errors:
            errors_item = RowError.from_dict(errors_item_data)

            errors.append(errors_item)

        filename = d.pop("filename")

        imported = d.pop("imported")

        outcomes = []
        _outcomes = d.pop("outcomes")
        for outcomes_item_data in _outcomes:
            outcomes_item = RowOutcome.from_dict(outcomes_item_data)

            outcomes.append(outcomes_item)

        rejected = d.pop("rejected")

        rows = d.pop("rows")

        def _parse_run_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        run_id = _parse_run_id(d.pop("run_id"))

        sha256 = d.pop("sha256")

        to_import = d.pop("to_import")

        unchanged = d.pop("unchanged")

        written = d.pop("written")

        import_report = cls(
            dry_run=dry_run,
            errors=errors,
            filename=filename,
            imported=imported,
            outcomes=outcomes,
            rejected=rejected,
            rows=rows,
            run_id=run_id,
            sha256=sha256,
            to_import=to_import,
            unchanged=unchanged,
            written=written,
        )

        import_report.additional_properties = d
        return import_report

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
