from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.complaint_public_steps_item import ComplaintPublicStepsItem


T = TypeVar("T", bound="ComplaintPublic")


@_attrs_define
class ComplaintPublic:
    """A complaint as the committee reads it.

    Attributes:
        created_at (datetime.datetime):
        handled_by (None | str):
        id (str):
        message (str):
        number (str):
        recognition_id (str):
        reference (str):
        reporter_email (str):
        reporter_name (str):
        resolution (None | str):
        status (str):
        steps (list[ComplaintPublicStepsItem]):
    """

    created_at: datetime.datetime
    handled_by: None | str
    id: str
    message: str
    number: str
    recognition_id: str
    reference: str
    reporter_email: str
    reporter_name: str
    resolution: None | str
    status: str
    steps: list[ComplaintPublicStepsItem]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        created_at = self.created_at.isoformat()

        handled_by: None | str
        handled_by = self.handled_by

        id = self.id

        message = self.message

        number = self.number

        recognition_id = self.recognition_id

        reference = self.reference

        reporter_email = self.reporter_email

        reporter_name = self.reporter_name

        resolution: None | str
        resolution = self.resolution

        status = self.status

        steps = []
        for steps_item_data in self.steps:
            steps_item = steps_item_data.to_dict()
            steps.append(steps_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "created_at": created_at,
                "handled_by": handled_by,
                "id": id,
                "message": message,
                "number": number,
                "recognition_id": recognition_id,
                "reference": reference,
                "reporter_email": reporter_email,
                "reporter_name": reporter_name,
                "resolution": resolution,
                "status": status,
                "steps": steps,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.complaint_public_steps_item import ComplaintPublicStepsItem  # noqa: PLC0415

        d = dict(src_dict)
        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        def _parse_handled_by(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        handled_by = _parse_handled_by(d.pop("handled_by"))

        id = d.pop("id")

        message = d.pop("message")

        number = d.pop("number")

        recognition_id = d.pop("recognition_id")

        reference = d.pop("reference")

        reporter_email = d.pop("reporter_email")

        reporter_name = d.pop("reporter_name")

        def _parse_resolution(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        resolution = _parse_resolution(d.pop("resolution"))

        status = d.pop("status")

        steps = []
        _steps = d.pop("steps")
        for steps_item_data in _steps:
            steps_item = ComplaintPublicStepsItem.from_dict(steps_item_data)

            steps.append(steps_item)

        complaint_public = cls(
            created_at=created_at,
            handled_by=handled_by,
            id=id,
            message=message,
            number=number,
            recognition_id=recognition_id,
            reference=reference,
            reporter_email=reporter_email,
            reporter_name=reporter_name,
            resolution=resolution,
            status=status,
            steps=steps,
        )

        complaint_public.additional_properties = d
        return complaint_public

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
