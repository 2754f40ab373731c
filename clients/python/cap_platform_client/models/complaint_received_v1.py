from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="ComplaintReceivedV1")


@_attrs_define
class ComplaintReceivedV1:
    """A complaint about a recognition (the complainant's details stay in the labelling service).

    Attributes:
        complaint_id (str):
        number (str):
        organisation_id (str):
        received_at (datetime.datetime):
        recognition_id (str):
    """

    complaint_id: str
    number: str
    organisation_id: str
    received_at: datetime.datetime
    recognition_id: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        complaint_id = self.complaint_id

        number = self.number

        organisation_id = self.organisation_id

        received_at = self.received_at.isoformat()

        recognition_id = self.recognition_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "complaint_id": complaint_id,
                "number": number,
                "organisation_id": organisation_id,
                "received_at": received_at,
                "recognition_id": recognition_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        complaint_id = d.pop("complaint_id")

        number = d.pop("number")

        organisation_id = d.pop("organisation_id")

        received_at = datetime.datetime.fromisoformat(d.pop("received_at"))

        recognition_id = d.pop("recognition_id")

        complaint_received_v1 = cls(
            complaint_id=complaint_id,
            number=number,
            organisation_id=organisation_id,
            received_at=received_at,
            recognition_id=recognition_id,
        )

        complaint_received_v1.additional_properties = d
        return complaint_received_v1

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
