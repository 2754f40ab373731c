from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.scheme_parameters_public_source import SchemeParametersPublicSource

if TYPE_CHECKING:
    from ..models.scheme_parameters import SchemeParameters


T = TypeVar("T", bound="SchemeParametersPublic")


@_attrs_define
class SchemeParametersPublic:
    """One scheme's parameters as every service reads them, and where they come from.

    Attributes:
        parameters (SchemeParameters): One scheme's parameters (every duration in days or calendar months).
        scheme (str):
        source (SchemeParametersPublicSource):
    """

    parameters: SchemeParameters
    scheme: str
    source: SchemeParametersPublicSource
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        parameters = self.parameters.to_dict()

        scheme = self.scheme

        source = self.source.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "parameters": parameters,
                "scheme": scheme,
                "source": source,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.scheme_parameters import SchemeParameters  # noqa: PLC0415

        d = dict(src_dict)
        parameters = SchemeParameters.from_dict(d.pop("parameters"))

        scheme = d.pop("scheme")

        source = SchemeParametersPublicSource(d.pop("source"))

        scheme_parameters_public = cls(
            parameters=parameters,
            scheme=scheme,
            source=source,
        )

        scheme_parameters_public.additional_properties = d
        return scheme_parameters_public

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
