from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.audit_request_type import AuditRequestType
from ..types import UNSET, Unset

T = TypeVar("T", bound="AuditRequest")


@_attrs_define
class AuditRequest:
    """The next audit requested of a programme.

    Attributes:
        type_ (AuditRequestType):
        due_by (datetime.date | None | Unset):
    """

    type_: AuditRequestType
    due_by: datetime.date | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        type_ = self.type_.value

        due_by: None | str | Unset
        if isinstance(self.due_by, Unset):
            due_by = UNSET
        elif isinstance(self.due_by, datetime.date):
            due_by = self.due_by.isoformat()
        else:
            due_by = self.due_by

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "type": type_,
            }
        )
        if due_by is not UNSET:
            field_dict["due_by"] = due_by

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        type_ = AuditRequestType(d.pop("type"))

        def _parse_due_by(data: object) -> datetime.date | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                due_by_type_0 = datetime.date.fromisoformat(data)

                return due_by_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.date | None | Unset, data)

        due_by = _parse_due_by(d.pop("due_by", UNSET))

        audit_request = cls(
            type_=type_,
            due_by=due_by,
        )

        return audit_request
