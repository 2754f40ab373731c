from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="OutboxStatus")


@_attrs_define
class OutboxStatus:
    """What waits in this service's outbox.

    Attributes:
        failing (int): Of them, events whose last publication failed
        oldest_age_seconds (float): Age of the oldest of them
        pending (int): Events not yet published
    """

    failing: int
    oldest_age_seconds: float
    pending: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        failing = self.failing

        oldest_age_seconds = self.oldest_age_seconds

        pending = self.pending

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "failing": failing,
                "oldest_age_seconds": oldest_age_seconds,
                "pending": pending,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        failing = d.pop("failing")

        oldest_age_seconds = d.pop("oldest_age_seconds")

        pending = d.pop("pending")

        outbox_status = cls(
            failing=failing,
            oldest_age_seconds=oldest_age_seconds,
            pending=pending,
        )

        outbox_status.additional_properties = d
        return outbox_status

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
