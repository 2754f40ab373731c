from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.team_member import TeamMember


T = TypeVar("T", bound="AuditPlanUpdate")


@_attrs_define
class AuditPlanUpdate:
    """An audit's plan: its dates, plan, team and sites.

    Attributes:
        end_date (datetime.date):
        plan (str): The audit plan
        start_date (datetime.date):
        team (list[TeamMember]):
        site_ids (list[str] | None | Unset): The sites the audit covers: the central function (the programme's
            organisation) and group members, at least the sample shown on the audit (IAF MD 1). May be left out for a
            single-site programme.
    """

    end_date: datetime.date
    plan: str
    start_date: datetime.date
    team: list[TeamMember]
    site_ids: list[str] | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        end_date = self.end_date.isoformat()

        plan = self.plan

        start_date = self.start_date.isoformat()

        team = []
        for team_item_data in self.team:
            team_item = team_item_data.to_dict()
            team.append(team_item)

        site_ids: list[str] | None | Unset
        if isinstance(self.site_ids, Unset):
            site_ids = UNSET
        elif isinstance(self.site_ids, list):
            site_ids = self.site_ids

        else:
            site_ids = self.site_ids

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "end_date": end_date,
                "plan": plan,
                "start_date": start_date,
                "team": team,
            }
        )
        if site_ids is not UNSET:
            field_dict["site_ids"] = site_ids

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.team_member import TeamMember  # noqa: PLC0415

        d = dict(src_dict)
        end_date = datetime.date.fromisoformat(d.pop("end_date"))

        plan = d.pop("plan")

        start_date = datetime.date.fromisoformat(d.pop("start_date"))

        team = []
        _team = d.pop("team")
        for team_item_data in _team:
            team_item = TeamMember.from_dict(team_item_data)

            team.append(team_item)

        def _parse_site_ids(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                site_ids_type_0 = cast(list[str], data)

                return site_ids_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        site_ids = _parse_site_ids(d.pop("site_ids", UNSET))

        audit_plan_update = cls(
            end_date=end_date,
            plan=plan,
            start_date=start_date,
            team=team,
            site_ids=site_ids,
        )

        return audit_plan_update
