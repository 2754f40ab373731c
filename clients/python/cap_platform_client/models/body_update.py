from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.body_update_schemes_item import BodyUpdateSchemesItem
from ..types import UNSET, Unset

T = TypeVar("T", bound="BodyUpdate")


@_attrs_define
class BodyUpdate:
    """What is given changes; ``accreditation: null`` clears it, the others cannot be null.

    Attributes:
        accreditation (None | str | Unset):
        active (bool | Unset):
        name (str | Unset):
        schemes (list[BodyUpdateSchemesItem] | Unset):
    """

    accreditation: None | str | Unset = UNSET
    active: bool | Unset = UNSET
    name: str | Unset = UNSET
    schemes: list[BodyUpdateSchemesItem] | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        accreditation: None | str | Unset
        if isinstance(self.accreditation, Unset):
            accreditation = UNSET
        else:
            accreditation = self.accreditation

        active = self.active

        name = self.name

        schemes: list[str] | Unset = UNSET
        if not isinstance(self.schemes, Unset):
            schemes = []
            for schemes_item_data in self.schemes:
                schemes_item = schemes_item_data.value
                schemes.append(schemes_item)

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if accreditation is not UNSET:
            field_dict["accreditation"] = accreditation
        if active is not UNSET:
            field_dict["active"] = active
        if name is not UNSET:
            field_dict["name"] = name
        if schemes is not UNSET:
            field_dict["schemes"] = schemes

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_accreditation(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        accreditation = _parse_accreditation(d.pop("accreditation", UNSET))

        active = d.pop("active", UNSET)

        name = d.pop("name", UNSET)

        _schemes = d.pop("schemes", UNSET)
        schemes: list[BodyUpdateSchemesItem] | Unset = UNSET
        if _schemes is not UNSET:
            schemes = []
            for schemes_item_data in _schemes:
                schemes_item = BodyUpdateSchemesItem(schemes_item_data)

                schemes.append(schemes_item)

        body_update = cls(
            accreditation=accreditation,
            active=active,
            name=name,
            schemes=schemes,
        )

        return body_update
