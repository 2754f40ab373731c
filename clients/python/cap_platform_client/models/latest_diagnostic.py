from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.latest_diagnostic_progress import LatestDiagnosticProgress
    from ..models.latest_diagnostic_referential import LatestDiagnosticReferential


T = TypeVar("T", bound="LatestDiagnostic")


@_attrs_define
class LatestDiagnostic:
    """The organisation's latest diagnostic, in short.

    Attributes:
        completed_at (datetime.datetime | None):
        id (str):
        organisation_id (str):
        overall_band (None | str):
        overall_score (int | None):
        progress (LatestDiagnosticProgress):
        referential (LatestDiagnosticReferential):
        status (str):
    """

    completed_at: datetime.datetime | None
    id: str
    organisation_id: str
    overall_band: None | str
    overall_score: int | None
    progress: LatestDiagnosticProgress
    referential: LatestDiagnosticReferential
    status: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        completed_at: None | str
        if isinstance(self.completed_at, datetime.datetime):
            completed_at = self.completed_at.isoformat()
        else:
            completed_at = self.completed_at

        id = self.id

        organisation_id = self.organisation_id

        overall_band: None | str
        overall_band = self.overall_band

        overall_score: int | None
        overall_score = self.overall_score

        progress = self.progress.to_dict()

        referential = self.referential.to_dict()

        status = self.status

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "completed_at": completed_at,
                "id": id,
                "organisation_id": organisation_id,
                "overall_band": overall_band,
                "overall_score": overall_score,
                "progress": progress,
                "referential": referential,
                "status": status,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.latest_diagnostic_progress import LatestDiagnosticProgress  # noqa: PLC0415
        from ..models.latest_diagnostic_referential import LatestDiagnosticReferential  # noqa: PLC0415

        d = dict(src_dict)

        def _parse_completed_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                completed_at_type_0 = datetime.datetime.fromisoformat(data)

                return completed_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        completed_at = _parse_completed_at(d.pop("completed_at"))

        id = d.pop("id")

        organisation_id = d.pop("organisation_id")

        def _parse_overall_band(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        overall_band = _parse_overall_band(d.pop("overall_band"))

        def _parse_overall_score(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        overall_score = _parse_overall_score(d.pop("overall_score"))

        progress = LatestDiagnosticProgress.from_dict(d.pop("progress"))

        referential = LatestDiagnosticReferential.from_dict(d.pop("referential"))

        status = d.pop("status")

        latest_diagnostic = cls(
            completed_at=completed_at,
            id=id,
            organisation_id=organisation_id,
            overall_band=overall_band,
            overall_score=overall_score,
            progress=progress,
            referential=referential,
            status=status,
        )

        latest_diagnostic.additional_properties = d
        return latest_diagnostic

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
