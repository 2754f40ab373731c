from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.impartiality_check_check import ImpartialityCheckCheck
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.labelling_engagement_public import LabellingEngagementPublic


T = TypeVar("T", bound="ImpartialityCheck")


@_attrs_define
class ImpartialityCheck:
    """One impartiality check of the caller against a file, with its result.

    Attributes:
        check (ImpartialityCheckCheck):
        detail (str):
        detail_fr (str):
        passed (bool):
        rule (str):
        barred_until (datetime.date | None | Unset):
        engagements (list[LabellingEngagementPublic] | Unset):
    """

    check: ImpartialityCheckCheck
    detail: str
    detail_fr: str
    passed: bool
    rule: str
    barred_until: datetime.date | None | Unset = UNSET
    engagements: list[LabellingEngagementPublic] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        check = self.check.value

        detail = self.detail

        detail_fr = self.detail_fr

        passed = self.passed

        rule = self.rule

        barred_until: None | str | Unset
        if isinstance(self.barred_until, Unset):
            barred_until = UNSET
        elif isinstance(self.barred_until, datetime.date):
            barred_until = self.barred_until.isoformat()
        else:
            barred_until = self.barred_until

        engagements: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.engagements, Unset):
            engagements = []
            for engagements_item_data in self.engagements:
                engagements_item = engagements_item_data.to_dict()
                engagements.append(engagements_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "check": check,
                "detail": detail,
                "detail_fr": detail_fr,
                "passed": passed,
                "rule": rule,
            }
        )
        if barred_until is not UNSET:
            field_dict["barred_until"] = barred_until
        if engagements is not UNSET:
            field_dict["engagements"] = engagements

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.labelling_engagement_public import LabellingEngagementPublic  # noqa: PLC0415

        d = dict(src_dict)
        check = ImpartialityCheckCheck(d.pop("check"))

        detail = d.pop("detail")

        detail_fr = d.pop("detail_fr")

        passed = d.pop("passed")

        rule = d.pop("rule")

        def _parse_barred_until(data: object) -> datetime.date | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                barred_until_type_0 = datetime.date.fromisoformat(data)

                return barred_until_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.date | None | Unset, data)

        barred_until = _parse_barred_until(d.pop("barred_until", UNSET))

        _engagements = d.pop("engagements", UNSET)
        engagements: list[LabellingEngagementPublic] | Unset = UNSET
        if _engagements is not UNSET:
            engagements = []
            for engagements_item_data in _engagements:
                engagements_item = LabellingEngagementPublic.from_dict(engagements_item_data)

                engagements.append(engagements_item)

        impartiality_check = cls(
            check=check,
            detail=detail,
            detail_fr=detail_fr,
            passed=passed,
            rule=rule,
            barred_until=barred_until,
            engagements=engagements,
        )

        impartiality_check.additional_properties = d
        return impartiality_check

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
