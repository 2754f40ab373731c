from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="MaturityLevel")


@_attrs_define
class MaturityLevel:
    """The maturity evaluated for a criterion at a site, or not applicable.

    Attributes:
        criterion_urn (str):
        level (int): Ignored when not_applicable
        comment (None | str | Unset):
        not_applicable (bool | Unset):  Default: False.
        site_id (None | str | Unset): The group member evaluated; null: the organisation itself
    """

    criterion_urn: str
    level: int
    comment: None | str | Unset = UNSET
    not_applicable: bool | Unset = False
    site_id: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        criterion_urn = self.criterion_urn

        level = self.level

        comment: None | str | Unset
        if isinstance(self.comment, Unset):
            comment = UNSET
        else:
            comment = self.comment

        not_applicable = self.not_applicable

        site_id: None | str | Unset
        if isinstance(self.site_id, Unset):
            site_id = UNSET
        else:
            site_id = self.site_id

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "criterion_urn": criterion_urn,
                "level": level,
            }
        )
        if comment is not UNSET:
            field_dict["comment"] = comment
        if not_applicable is not UNSET:
            field_dict["not_applicable"] = not_applicable
        if site_id is not UNSET:
            field_dict["site_id"] = site_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        criterion_urn = d.pop("criterion_urn")

        level = d.pop("level")

        def _parse_comment(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        comment = _parse_comment(d.pop("comment", UNSET))

        not_applicable = d.pop("not_applicable", UNSET)

        def _parse_site_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        site_id = _parse_site_id(d.pop("site_id", UNSET))

        maturity_level = cls(
            criterion_urn=criterion_urn,
            level=level,
            comment=comment,
            not_applicable=not_applicable,
            site_id=site_id,
        )

        return maturity_level
