from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="ReferentialsExportReferentialReferentialFileExtends")


@_attrs_define
class ReferentialsExportReferentialReferentialFileExtends:
    """Reuse of another referential's themes and criteria, by reference to one of its versions.

    Attributes:
        urn (str):
        version (int):
    """

    urn: str
    version: int

    def to_dict(self) -> dict[str, Any]:
        urn = self.urn

        version = self.version

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "urn": urn,
                "version": version,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        urn = d.pop("urn")

        version = d.pop("version")

        referentials_export_referential_referential_file_extends = cls(
            urn=urn,
            version=version,
        )

        return referentials_export_referential_referential_file_extends
