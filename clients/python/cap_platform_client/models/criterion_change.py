from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.field_change import FieldChange


T = TypeVar("T", bound="CriterionChange")


@_attrs_define
class CriterionChange:
    """A criterion kept (same URN) whose fields changed.

    Attributes:
        code (str):
        fields (list[FieldChange]):
        name (str):
        scale_changed (bool):
        theme_code (str):
        urn (str):
    """

    code: str
    fields: list[FieldChange]
    name: str
    scale_changed: bool
    theme_code: str
    urn: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        code = self.code

        fields = []
        for fields_item_data in self.fields:
            fields_item = fields_item_data.to_dict()
            fields.append(fields_item)

        name = self.name

        scale_changed = self.scale_changed

        theme_code = self.theme_code

        urn = self.urn

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "code": code,
                "fields": fields,
                "name": name,
                "scale_changed": scale_changed,
                "theme_code": theme_code,
                "urn": urn,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.field_change import FieldChange  # noqa: PLC0415

        d = dict(src_dict)
        code = d.pop("code")

        fields = []
        _fields = d.pop("fields")
        for fields_item_data in _fields:
            fields_item = FieldChange.from_dict(fields_item_data)

            fields.append(fields_item)

        name = d.pop("name")

        scale_changed = d.pop("scale_changed")

        theme_code = d.pop("theme_code")

        urn = d.pop("urn")

        criterion_change = cls(
            code=code,
            fields=fields,
            name=name,
            scale_changed=scale_changed,
            theme_code=theme_code,
            urn=urn,
        )

        criterion_change.additional_properties = d
        return criterion_change

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
