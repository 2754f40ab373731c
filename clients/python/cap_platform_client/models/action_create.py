from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.action_create_priority import ActionCreatePriority
from ..types import UNSET, Unset

T = TypeVar("T", bound="ActionCreate")


@_attrs_define
class ActionCreate:
    """An action added by hand to a plan.

    Attributes:
        title (str):
        criterion (None | str | Unset): Criterion URN
        description (str | Unset):  Default: ''.
        due_date (datetime.date | None | Unset):
        owner (None | str | Unset):
        priority (ActionCreatePriority | Unset):  Default: ActionCreatePriority.MEDIUM.
    """

    title: str
    criterion: None | str | Unset = UNSET
    description: str | Unset = ""
    due_date: datetime.date | None | Unset = UNSET
    owner: None | str | Unset = UNSET
    priority: ActionCreatePriority | Unset = ActionCreatePriority.MEDIUM

    def to_dict(self) -> dict[str, Any]:
        title = self.title

        criterion: None | str | Unset
        if isinstance(self.criterion, Unset):
            criterion = UNSET
        else:
            criterion = self.criterion

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

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "title": title,
            }
        )
        if criterion is not UNSET:
            field_dict["criterion"] = criterion
        if description is not UNSET:
            field_dict["description"] = description
        if due_date is not UNSET:
            field_dict["due_date"] = due_date
        if owner is not UNSET:
            field_dict["owner"] = owner
        if priority is not UNSET:
            field_dict["priority"] = priority

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        title = d.pop("title")

        def _parse_criterion(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        criterion = _parse_criterion(d.pop("criterion", UNSET))

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
        priority: ActionCreatePriority | Unset
        if isinstance(_priority, Unset):
            priority = UNSET
        else:
            priority = ActionCreatePriority(_priority)

        action_create = cls(
            title=title,
            criterion=criterion,
            description=description,
            due_date=due_date,
            owner=owner,
            priority=priority,
        )

        return action_create
