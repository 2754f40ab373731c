from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="DueItemPublic")


@_attrs_define
class DueItemPublic:
    """An audit a programme expects, its due date and where it stands.

    Attributes:
        audit_id (None | str):
        cycle_year (int | None):
        due_by (datetime.date):
        status (str):
        type_ (str):
        cycle (int | Unset):  Default: 1.
    """

    audit_id: None | str
    cycle_year: int | None
    due_by: datetime.date
    status: str
    type_: str
    cycle: int | Unset = 1
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        audit_id: None | str
        audit_id = self.audit_id

        cycle_year: int | None
        cycle_year = self.cycle_year

        due_by = self.due_by.isoformat()

        status = self.status

        type_ = self.type_

        cycle = self.cycle

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "audit_id": audit_id,
                "cycle_year": cycle_year,
                "due_by": due_by,
                "status": status,
                "type": type_,
            }
        )
        if cycle is not UNSET:
            field_dict["cycle"] = cycle

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_audit_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        audit_id = _parse_audit_id(d.pop("audit_id"))

        def _parse_cycle_year(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        cycle_year = _parse_cycle_year(d.pop("cycle_year"))

        due_by = datetime.date.fromisoformat(d.pop("due_by"))

        status = d.pop("status")

        type_ = d.pop("type")

        cycle = d.pop("cycle", UNSET)

        due_item_public = cls(
            audit_id=audit_id,
            cycle_year=cycle_year,
            due_by=due_by,
            status=status,
            type_=type_,
            cycle=cycle,
        )

        due_item_public.additional_properties = d
        return due_item_public

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
