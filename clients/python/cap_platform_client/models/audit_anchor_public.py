from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="AuditAnchorPublic")


@_attrs_define
class AuditAnchorPublic:
    """A chain head recorded outside the database.

    Attributes:
        anchored_at (str):
        hash_ (str):
        seq (int):
    """

    anchored_at: str
    hash_: str
    seq: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        anchored_at = self.anchored_at

        hash_ = self.hash_

        seq = self.seq

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "anchored_at": anchored_at,
                "hash": hash_,
                "seq": seq,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        anchored_at = d.pop("anchored_at")

        hash_ = d.pop("hash")

        seq = d.pop("seq")

        audit_anchor_public = cls(
            anchored_at=anchored_at,
            hash_=hash_,
            seq=seq,
        )

        audit_anchor_public.additional_properties = d
        return audit_anchor_public

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
