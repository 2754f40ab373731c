from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.impartiality_check import ImpartialityCheck


T = TypeVar("T", bound="DecisionChecks")


@_attrs_define
class DecisionChecks:
    """The impartiality checks of the caller against a file: may they decide on it?

    Attributes:
        checks (list[ImpartialityCheck]):
        decision_id (str):
        impartial (bool):
        person (str):
    """

    checks: list[ImpartialityCheck]
    decision_id: str
    impartial: bool
    person: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        checks = []
        for checks_item_data in self.checks:
            checks_item = checks_item_data.to_dict()
            checks.append(checks_item)

        decision_id = self.decision_id

        impartial = self.impartial

        person = self.person

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "checks": checks,
                "decision_id": decision_id,
                "impartial": impartial,
                "person": person,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.impartiality_check import ImpartialityCheck  # noqa: PLC0415

        d = dict(src_dict)
        checks = []
        _checks = d.pop("checks")
        for checks_item_data in _checks:
            checks_item = ImpartialityCheck.from_dict(checks_item_data)

            checks.append(checks_item)

        decision_id = d.pop("decision_id")

        impartial = d.pop("impartial")

        person = d.pop("person")

        decision_checks = cls(
            checks=checks,
            decision_id=decision_id,
            impartial=impartial,
            person=person,
        )

        decision_checks.additional_properties = d
        return decision_checks

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
