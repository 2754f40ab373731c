from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.action_public import ActionPublic
    from ..models.plan_public_counts import PlanPublicCounts


T = TypeVar("T", bound="PlanPublic")


@_attrs_define
class PlanPublic:
    """An organisation's progress plan.

    Attributes:
        actions (list[ActionPublic]):
        counts (PlanPublicCounts):
        diagnostic_id (None | str):
        id (str):
        organisation_id (str):
        overdue (int):
        updated_at (datetime.datetime): Last change of the plan or one of its actions (the delta sync's change time)
    """

    actions: list[ActionPublic]
    counts: PlanPublicCounts
    diagnostic_id: None | str
    id: str
    organisation_id: str
    overdue: int
    updated_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        actions = []
        for actions_item_data in self.actions:
            actions_item = actions_item_data.to_dict()
            actions.append(actions_item)

        counts = self.counts.to_dict()

        diagnostic_id: None | str
        diagnostic_id = self.diagnostic_id

        id = self.id

        organisation_id = self.organisation_id

        overdue = self.overdue

        updated_at = self.updated_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "actions": actions,
                "counts": counts,
                "diagnostic_id": diagnostic_id,
                "id": id,
                "organisation_id": organisation_id,
                "overdue": overdue,
                "updated_at": updated_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.action_public import ActionPublic  # noqa: PLC0415
        from ..models.plan_public_counts import PlanPublicCounts  # noqa: PLC0415

        d = dict(src_dict)
        actions = []
        _actions = d.pop("actions")
        for actions_item_data in _actions:
            actions_item = ActionPublic.from_dict(actions_item_data)

            actions.append(actions_item)

        counts = PlanPublicCounts.from_dict(d.pop("counts"))

        def _parse_diagnostic_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        diagnostic_id = _parse_diagnostic_id(d.pop("diagnostic_id"))

        id = d.pop("id")

        organisation_id = d.pop("organisation_id")

        overdue = d.pop("overdue")

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        plan_public = cls(
            actions=actions,
            counts=counts,
            diagnostic_id=diagnostic_id,
            id=id,
            organisation_id=organisation_id,
            overdue=overdue,
            updated_at=updated_at,
        )

        plan_public.additional_properties = d
        return plan_public

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
