from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.me import Me
    from ..models.overview_parts import OverviewParts


T = TypeVar("T", bound="Overview")


@_attrs_define
class Overview:
    """The caller and every section of their home screen.

    Attributes:
        me (Me): The caller: a person with their roles, or a system with its scopes.
        parts (OverviewParts):
    """

    me: Me
    parts: OverviewParts
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        me = self.me.to_dict()

        parts = self.parts.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "me": me,
                "parts": parts,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.me import Me  # noqa: PLC0415
        from ..models.overview_parts import OverviewParts  # noqa: PLC0415

        d = dict(src_dict)
        me = Me.from_dict(d.pop("me"))

        parts = OverviewParts.from_dict(d.pop("parts"))

        overview = cls(
            me=me,
            parts=parts,
        )

        overview.additional_properties = d
        return overview

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
