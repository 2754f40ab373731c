from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="JobRun")


@_attrs_define
class JobRun:
    """What one run of a job did.

    Attributes:
        items (int): What the job reports: items it changed or sent
        job (str):
        ran_at (datetime.datetime): The time it ran with (this process's clock)
    """

    items: int
    job: str
    ran_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        items = self.items

        job = self.job

        ran_at = self.ran_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "items": items,
                "job": job,
                "ran_at": ran_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        items = d.pop("items")

        job = d.pop("job")

        ran_at = datetime.datetime.fromisoformat(d.pop("ran_at"))

        job_run = cls(
            items=items,
            job=job,
            ran_at=ran_at,
        )

        job_run.additional_properties = d
        return job_run

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
