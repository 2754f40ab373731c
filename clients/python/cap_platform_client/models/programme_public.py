from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.due_item_public import DueItemPublic
    from ..models.sample_size_public import SampleSizePublic


T = TypeVar("T", bound="ProgrammePublic")


@_attrs_define
class ProgrammePublic:
    """An audit programme: its cycle, schedule and sample sizes.

    Attributes:
        accepted_on (datetime.date):
        application_id (str):
        certification_body_id (str):
        decided_on (datetime.date | None):
        group_member_ids (list[str]):
        id (str):
        organisation_id (str):
        schedule (list[DueItemPublic]):
        scheme (str):
        cycle (int | Unset):  Default: 1.
        cycle_start (datetime.date | None | Unset):
        expiry_date (datetime.date | None | Unset):
        sampling (list[SampleSizePublic] | Unset):
        stage2_required_by (list[str] | Unset):
    """

    accepted_on: datetime.date
    application_id: str
    certification_body_id: str
    decided_on: datetime.date | None
    group_member_ids: list[str]
    id: str
    organisation_id: str
    schedule: list[DueItemPublic]
    scheme: str
    cycle: int | Unset = 1
    cycle_start: datetime.date | None | Unset = UNSET
    expiry_date: datetime.date | None | Unset = UNSET
    sampling: list[SampleSizePublic] | Unset = UNSET
    stage2_required_by: list[str] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        accepted_on = self.accepted_on.isoformat()

        application_id = self.application_id

        certification_body_id = self.certification_body_id

        decided_on: None | str
        if isinstance(self.decided_on, datetime.date):
            decided_on = self.decided_on.isoformat()
        else:
            decided_on = self.decided_on

        group_member_ids = self.group_member_ids

        id = self.id

        organisation_id = self.organisation_id

        schedule = []
        for schedule_item_data in self.schedule:
            schedule_item = schedule_item_data.to_dict()
            schedule.append(schedule_item)

        scheme = self.scheme

        cycle = self.cycle

        cycle_start: None | str | Unset
        if isinstance(self.cycle_start, Unset):
            cycle_start = UNSET
        elif isinstance(self.cycle_start, datetime.date):
            cycle_start = self.cycle_start.isoformat()
        else:
            cycle_start = self.cycle_start

        expiry_date: None | str | Unset
        if isinstance(self.expiry_date, Unset):
            expiry_date = UNSET
        elif isinstance(self.expiry_date, datetime.date):
            expiry_date = self.expiry_date.isoformat()
        else:
            expiry_date = self.expiry_date

        sampling: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.sampling, Unset):
            sampling = []
            for sampling_item_data in self.sampling:
                sampling_item = sampling_item_data.to_dict()
                sampling.append(sampling_item)

        stage2_required_by: list[str] | Unset = UNSET
        if not isinstance(self.stage2_required_by, Unset):
            stage2_required_by = self.stage2_required_by

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "accepted_on": accepted_on,
                "application_id": application_id,
                "certification_body_id": certification_body_id,
                "decided_on": decided_on,
                "group_member_ids": group_member_ids,
                "id": id,
                "organisation_id": organisation_id,
                "schedule": schedule,
                "scheme": scheme,
            }
        )
        if cycle is not UNSET:
            field_dict["cycle"] = cycle
        if cycle_start is not UNSET:
            field_dict["cycle_start"] = cycle_start
        if expiry_date is not UNSET:
            field_dict["expiry_date"] = expiry_date
        if sampling is not UNSET:
            field_dict["sampling"] = sampling
        if stage2_required_by is not UNSET:
            field_dict["stage2_required_by"] = stage2_required_by

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.due_item_public import DueItemPublic  # noqa: PLC0415
        from ..models.sample_size_public import SampleSizePublic  # noqa: PLC0415

        d = dict(src_dict)
        accepted_on = datetime.date.fromisoformat(d.pop("accepted_on"))

        application_id = d.pop("application_id")

        certification_body_id = d.pop("certification_body_id")

        def _parse_decided_on(data: object) -> datetime.date | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                decided_on_type_0 = datetime.date.fromisoformat(data)

                return decided_on_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.date | None, data)

        decided_on = _parse_decided_on(d.pop("decided_on"))

        group_member_ids = cast(list[str], d.pop("group_member_ids"))

        id = d.pop("id")

        organisation_id = d.pop("organisation_id")

        schedule = []
        _schedule = d.pop("schedule")
        for schedule_item_data in _schedule:
            schedule_item = DueItemPublic.from_dict(schedule_item_data)

            schedule.append(schedule_item)

        scheme = d.pop("scheme")

        cycle = d.pop("cycle", UNSET)

        def _parse_cycle_start(data: object) -> datetime.date | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                cycle_start_type_0 = datetime.date.fromisoformat(data)

                return cycle_start_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.date | None | Unset, data)

        cycle_start = _parse_cycle_start(d.pop("cycle_start", UNSET))

        def _parse_expiry_date(data: object) -> datetime.date | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                expiry_date_type_0 = datetime.date.fromisoformat(data)

                return expiry_date_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.date | None | Unset, data)

        expiry_date = _parse_expiry_date(d.pop("expiry_date", UNSET))

        _sampling = d.pop("sampling", UNSET)
        sampling: list[SampleSizePublic] | Unset = UNSET
        if _sampling is not UNSET:
            sampling = []
            for sampling_item_data in _sampling:
                sampling_item = SampleSizePublic.from_dict(sampling_item_data)

                sampling.append(sampling_item)

        stage2_required_by = cast(list[str], d.pop("stage2_required_by", UNSET))

        programme_public = cls(
            accepted_on=accepted_on,
            application_id=application_id,
            certification_body_id=certification_body_id,
            decided_on=decided_on,
            group_member_ids=group_member_ids,
            id=id,
            organisation_id=organisation_id,
            schedule=schedule,
            scheme=scheme,
            cycle=cycle,
            cycle_start=cycle_start,
            expiry_date=expiry_date,
            sampling=sampling,
            stage2_required_by=stage2_required_by,
        )

        programme_public.additional_properties = d
        return programme_public

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
