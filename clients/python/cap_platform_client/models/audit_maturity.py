from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.evaluated_level import EvaluatedLevel


T = TypeVar("T", bound="AuditMaturity")


@_attrs_define
class AuditMaturity:
    """The maturity evaluated so far at an audit, per criterion and site.

    Attributes:
        audit_id (str):
        levels (list[EvaluatedLevel]):
    """

    audit_id: str
    levels: list[EvaluatedLevel]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        audit_id = self.audit_id

        levels = []
        for levels_item_data in self.levels:
            levels_item = levels_item_data.to_dict()
            levels.append(levels_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "audit_id": audit_id,
                "levels": levels,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.evaluated_level import EvaluatedLevel  # noqa: PLC0415

        d = dict(src_dict)
        audit_id = d.pop("audit_id")

        levels = []
        _levels = d.pop("levels")
        for levels_item_data in _levels:
            levels_item = EvaluatedLevel.from_dict(levels_item_data)

            levels.append(levels_item)

        audit_maturity = cls(
            audit_id=audit_id,
            levels=levels,
        )

        audit_maturity.additional_properties = d
        return audit_maturity

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
