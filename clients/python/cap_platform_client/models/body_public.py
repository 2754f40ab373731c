from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="BodyPublic")


@_attrs_define
class BodyPublic:
    """A certification body.

    Attributes:
        accreditation (None | str):
        active (bool):
        id (str):
        name (str):
        schemes (list[str]):
    """

    accreditation: None | str
    active: bool
    id: str
    name: str
    schemes: list[str]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        accreditation: None | str
        accreditation = self.accreditation

        active = self.active

        id = self.id

        name = self.name

        schemes = self.schemes

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "accreditation": accreditation,
                "active": active,
                "id": id,
                "name": name,
                "schemes": schemes,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_accreditation(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        accreditation = _parse_accreditation(d.pop("accreditation"))

        active = d.pop("active")

        id = d.pop("id")

        name = d.pop("name")

        schemes = cast(list[str], d.pop("schemes"))

        body_public = cls(
            accreditation=accreditation,
            active=active,
            id=id,
            name=name,
            schemes=schemes,
        )

        body_public.additional_properties = d
        return body_public

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
