from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="ChangePublic")


@_attrs_define
class ChangePublic:
    """A change of status in a recognition's history.

    Attributes:
        actor (str):
        at (datetime.datetime):
        from_status (None | str):
        note (None | str):
        on (datetime.date):
        reason_code (str):
        to_status (str):
    """

    actor: str
    at: datetime.datetime
    from_status: None | str
    note: None | str
    on: datetime.date
    reason_code: str
    to_status: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        actor = self.actor

        at = self.at.isoformat()

        from_status: None | str
        from_status = self.from_status

        note: None | str
        note = self.note

        on = self.on.isoformat()

        reason_code = self.reason_code

        to_status = self.to_status

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "actor": actor,
                "at": at,
                "from_status": from_status,
                "note": note,
                "on": on,
                "reason_code": reason_code,
                "to_status": to_status,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        actor = d.pop("actor")

        at = datetime.datetime.fromisoformat(d.pop("at"))

        def _parse_from_status(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        from_status = _parse_from_status(d.pop("from_status"))

        def _parse_note(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        note = _parse_note(d.pop("note"))

        on = datetime.date.fromisoformat(d.pop("on"))

        reason_code = d.pop("reason_code")

        to_status = d.pop("to_status")

        change_public = cls(
            actor=actor,
            at=at,
            from_status=from_status,
            note=note,
            on=on,
            reason_code=reason_code,
            to_status=to_status,
        )

        change_public.additional_properties = d
        return change_public

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
