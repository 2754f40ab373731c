from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.label_expiring_v1_scheme import LabelExpiringV1Scheme
from ..types import UNSET, Unset

T = TypeVar("T", bound="LabelExpiringV1")


@_attrs_define
class LabelExpiringV1:
    """A recognition nears its expiry date: the renewal must be decided before it.

    Attributes:
        days_before (int): 90, 30 or 7
        expiry_date (datetime.date):
        number (str):
        organisation_id (str):
        recognition_id (str):
        scheme (LabelExpiringV1Scheme):
        level (None | str | Unset):
    """

    days_before: int
    expiry_date: datetime.date
    number: str
    organisation_id: str
    recognition_id: str
    scheme: LabelExpiringV1Scheme
    level: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        days_before = self.days_before

        expiry_date = self.expiry_date.isoformat()

        number = self.number

        organisation_id = self.organisation_id

        recognition_id = self.recognition_id

        scheme = self.scheme.value

        level: None | str | Unset
        if isinstance(self.level, Unset):
            level = UNSET
        else:
            level = self.level

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "days_before": days_before,
                "expiry_date": expiry_date,
                "number": number,
                "organisation_id": organisation_id,
                "recognition_id": recognition_id,
                "scheme": scheme,
            }
        )
        if level is not UNSET:
            field_dict["level"] = level

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        days_before = d.pop("days_before")

        expiry_date = datetime.date.fromisoformat(d.pop("expiry_date"))

        number = d.pop("number")

        organisation_id = d.pop("organisation_id")

        recognition_id = d.pop("recognition_id")

        scheme = LabelExpiringV1Scheme(d.pop("scheme"))

        def _parse_level(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        level = _parse_level(d.pop("level", UNSET))

        label_expiring_v1 = cls(
            days_before=days_before,
            expiry_date=expiry_date,
            number=number,
            organisation_id=organisation_id,
            recognition_id=recognition_id,
            scheme=scheme,
            level=level,
        )

        label_expiring_v1.additional_properties = d
        return label_expiring_v1

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
