from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.body_create_schemes_item import BodyCreateSchemesItem
from ..types import UNSET, Unset

T = TypeVar("T", bound="BodyCreate")


@_attrs_define
class BodyCreate:
    """A certification body to register.

    Attributes:
        id (str):
        name (str):
        schemes (list[BodyCreateSchemesItem]):
        accreditation (None | str | Unset):
    """

    id: str
    name: str
    schemes: list[BodyCreateSchemesItem]
    accreditation: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        name = self.name

        schemes = []
        for schemes_item_data in self.schemes:
            schemes_item = schemes_item_data.value
            schemes.append(schemes_item)

        accreditation: None | str | Unset
        if isinstance(self.accreditation, Unset):
            accreditation = UNSET
        else:
            accreditation = self.accreditation

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "id": id,
                "name": name,
                "schemes": schemes,
            }
        )
        if accreditation is not UNSET:
            field_dict["accreditation"] = accreditation

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        name = d.pop("name")

        schemes = []
        _schemes = d.pop("schemes")
        for schemes_item_data in _schemes:
            schemes_item = BodyCreateSchemesItem(schemes_item_data)

            schemes.append(schemes_item)

        def _parse_accreditation(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        accreditation = _parse_accreditation(d.pop("accreditation", UNSET))

        body_create = cls(
            id=id,
            name=name,
            schemes=schemes,
            accreditation=accreditation,
        )

        return body_create
