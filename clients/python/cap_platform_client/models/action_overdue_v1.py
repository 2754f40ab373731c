from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.action_overdue_v1_priority import ActionOverdueV1Priority
from ..types import UNSET, Unset

T = TypeVar("T", bound="ActionOverdueV1")


@_attrs_define
class ActionOverdueV1:
    """A progress action is overdue; reminders and escalations start from here.

    Attributes:
        action_id (str):
        days_overdue (int):
        detected_on (datetime.date):
        due_date (datetime.date):
        organisation_id (str):
        plan_id (str):
        priority (ActionOverdueV1Priority):
        title (str):
        criterion_code (None | str | Unset):
        owner (None | str | Unset):
    """

    action_id: str
    days_overdue: int
    detected_on: datetime.date
    due_date: datetime.date
    organisation_id: str
    plan_id: str
    priority: ActionOverdueV1Priority
    title: str
    criterion_code: None | str | Unset = UNSET
    owner: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        action_id = self.action_id

        days_overdue = self.days_overdue

        detected_on = self.detected_on.isoformat()

        due_date = self.due_date.isoformat()

        organisation_id = self.organisation_id

        plan_id = self.plan_id

        priority = self.priority.value

        title = self.title

        criterion_code: None | str | Unset
        if isinstance(self.criterion_code, Unset):
            criterion_code = UNSET
        else:
            criterion_code = self.criterion_code

        owner: None | str | Unset
        if isinstance(self.owner, Unset):
            owner = UNSET
        else:
            owner = self.owner

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "action_id": action_id,
                "days_overdue": days_overdue,
                "detected_on": detected_on,
                "due_date": due_date,
                "organisation_id": organisation_id,
                "plan_id": plan_id,
                "priority": priority,
                "title": title,
            }
        )
        if criterion_code is not UNSET:
            field_dict["criterion_code"] = criterion_code
        if owner is not UNSET:
            field_dict["owner"] = owner

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        action_id = d.pop("action_id")

        days_overdue = d.pop("days_overdue")

        detected_on = datetime.date.fromisoformat(d.pop("detected_on"))

        due_date = datetime.date.fromisoformat(d.pop("due_date"))

        organisation_id = d.pop("organisation_id")

        plan_id = d.pop("plan_id")

        priority = ActionOverdueV1Priority(d.pop("priority"))

        title = d.pop("title")

        def _parse_criterion_code(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        criterion_code = _parse_criterion_code(d.pop("criterion_code", UNSET))

        def _parse_owner(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        owner = _parse_owner(d.pop("owner", UNSET))

        action_overdue_v1 = cls(
            action_id=action_id,
            days_overdue=days_overdue,
            detected_on=detected_on,
            due_date=due_date,
            organisation_id=organisation_id,
            plan_id=plan_id,
            priority=priority,
            title=title,
            criterion_code=criterion_code,
            owner=owner,
        )

        action_overdue_v1.additional_properties = d
        return action_overdue_v1

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
