from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.action_update_priority import ActionUpdatePriority
from ..types import UNSET, Unset

T = TypeVar("T", bound="ActionUpdate")


@_attrs_define
class ActionUpdate:
    """Owner, due date, priority or wording of an action (an omitted field is left as it is;
    owner and due date are cleared with null).

        Attributes:
            description (str | Unset):
            due_date (datetime.date | None | Unset):
            owner (None | str | Unset):
            priority (ActionUpdatePriority | Unset):
            title (str | Unset):
    """

    description: str | Unset = UNSET
    due_date: datetime.date | None | Unset = UNSET
    owner: None | str | Unset = UNSET
    priority: ActionUpdatePriority | Unset = UNSET
    title: str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        description = self.description

        due_date: None | str | Unset
        if isinstance(self.due_date, Unset):
            due_date = UNSET
        elif isinstance(self.due_date, datetime.date):
            due_date = self.due_date.isoformat()
        else:
            due_date = self.due_date

        owner: None | str | Unset
        if isinstance(self.owner, Unset):
            owner = UNSET
        else:
            owner = self.owner

        priority: str | Unset = UNSET
        if not isinstance(self.priority, Unset):
            priority = self.priority.value

        title = self.title

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if description is not UNSET:
            field_dict["description"] = description
        if due_date is not UNSET:
            field_dict["due_date"] = due_date
        if owner is not UNSET:
            field_dict["owner"] = owner
        if priority is not UNSET:
            field_dict["priority"] = priority
        if title is not UNSET:
            field_dict["title"] = title

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        description = d.pop("description", UNSET)

        def _parse_due_date(data: object) -> datetime.date | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                due_date_type_0 = datetime.date.fromisoformat(data)

                return due_date_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.date | None | Unset, data)

        due_date = _parse_due_date(d.pop("due_date", UNSET))

        def _parse_owner(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        owner = _parse_owner(d.pop("owner", UNSET))

        _priority = d.pop("priority", UNSET)
        priority: ActionUpdatePriority | Unset
        if isinstance(_priority, Unset):
            priority = UNSET
        else:
            priority = ActionUpdatePriority(_priority)

        title = d.pop("title", UNSET)

        action_update = cls(
            description=description,
            due_date=due_date,
            owner=owner,
            priority=priority,
            title=title,
        )

        return action_update
