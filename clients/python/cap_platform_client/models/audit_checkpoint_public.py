from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="AuditCheckpointPublic")


@_attrs_define
class AuditCheckpointPublic:
    """What the last purge removed (retention): the chain verifies from the entry after it.

    Attributes:
        through_hash (str):
        through_seq (int):
    """

    through_hash: str
    through_seq: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        through_hash = self.through_hash

        through_seq = self.through_seq

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "through_hash": through_hash,
                "through_seq": through_seq,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        through_hash = d.pop("through_hash")

        through_seq = d.pop("through_seq")

        audit_checkpoint_public = cls(
            through_hash=through_hash,
            through_seq=through_seq,
        )

        audit_checkpoint_public.additional_properties = d
        return audit_checkpoint_public

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
