from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="ReferentialsExportReferentialReferentialFileFrameworkFrameworkItem")


@_attrs_define
class ReferentialsExportReferentialReferentialFileFrameworkFrameworkItem:
    """An entry of an external framework (an ISO 26000 issue, an ISO 9001 clause, an IAE axis).

    Attributes:
        name (str):
        ref (str):
        parent (None | str | Unset):
    """

    name: str
    ref: str
    parent: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        ref = self.ref

        parent: None | str | Unset
        if isinstance(self.parent, Unset):
            parent = UNSET
        else:
            parent = self.parent

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "name": name,
                "ref": ref,
            }
        )
        if parent is not UNSET:
            field_dict["parent"] = parent

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        name = d.pop("name")

        ref = d.pop("ref")

        def _parse_parent(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        parent = _parse_parent(d.pop("parent", UNSET))

        referentials_export_referential_referential_file_framework_framework_item = cls(
            name=name,
            ref=ref,
            parent=parent,
        )

        return referentials_export_referential_referential_file_framework_framework_item
