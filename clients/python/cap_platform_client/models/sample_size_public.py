from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="SampleSizePublic")


@_attrs_define
class SampleSizePublic:
    """How many of a group's member sites an audit type covers (IAF MD 1 §8.2), besides the
    central function.

        Attributes:
            audit_type (str):
            factor (float | None):
            sampled (bool):
            size (int):
    """

    audit_type: str
    factor: float | None
    sampled: bool
    size: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        audit_type = self.audit_type

        factor: float | None
        factor = self.factor

        sampled = self.sampled

        size = self.size

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "audit_type": audit_type,
                "factor": factor,
                "sampled": sampled,
                "size": size,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        audit_type = d.pop("audit_type")

        def _parse_factor(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        factor = _parse_factor(d.pop("factor"))

        sampled = d.pop("sampled")

        size = d.pop("size")

        sample_size_public = cls(
            audit_type=audit_type,
            factor=factor,
            sampled=sampled,
            size=size,
        )

        sample_size_public.additional_properties = d
        return sample_size_public

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
