from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.label_surveillance_due_v1_scheme import LabelSurveillanceDueV1Scheme
from ..models.label_surveillance_due_v1_stage import LabelSurveillanceDueV1Stage

T = TypeVar("T", bound="LabelSurveillanceDueV1")


@_attrs_define
class LabelSurveillanceDueV1:
    """A surveillance audit is due (``upcoming``) or past its date (``overdue``).

    Attributes:
        days (int): Days before (upcoming) or after (overdue) the due date
        due_date (datetime.date):
        number (str):
        organisation_id (str):
        recognition_id (str):
        scheme (LabelSurveillanceDueV1Scheme):
        stage (LabelSurveillanceDueV1Stage):
    """

    days: int
    due_date: datetime.date
    number: str
    organisation_id: str
    recognition_id: str
    scheme: LabelSurveillanceDueV1Scheme
    stage: LabelSurveillanceDueV1Stage
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        days = self.days

        due_date = self.due_date.isoformat()

        number = self.number

        organisation_id = self.organisation_id

        recognition_id = self.recognition_id

        scheme = self.scheme.value

        stage = self.stage.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "days": days,
                "due_date": due_date,
                "number": number,
                "organisation_id": organisation_id,
                "recognition_id": recognition_id,
                "scheme": scheme,
                "stage": stage,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        days = d.pop("days")

        due_date = datetime.date.fromisoformat(d.pop("due_date"))

        number = d.pop("number")

        organisation_id = d.pop("organisation_id")

        recognition_id = d.pop("recognition_id")

        scheme = LabelSurveillanceDueV1Scheme(d.pop("scheme"))

        stage = LabelSurveillanceDueV1Stage(d.pop("stage"))

        label_surveillance_due_v1 = cls(
            days=days,
            due_date=due_date,
            number=number,
            organisation_id=organisation_id,
            recognition_id=recognition_id,
            scheme=scheme,
            stage=stage,
        )

        label_surveillance_due_v1.additional_properties = d
        return label_surveillance_due_v1

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
