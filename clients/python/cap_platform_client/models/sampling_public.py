from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="SamplingPublic")


@_attrs_define
class SamplingPublic:
    """The sites a group's audit must cover (IAF MD 1): the central function, ``size`` member
    sites, among them the ones drawn at random (reproducibly, from the audit).

        Attributes:
            central_function (str):
            factor (float | None):
            random_site_ids (list[str]):
            required_site_ids (list[str]):
            rule (str):
            sampled (bool):
            sites (int): Member sites of the group
            size (int): Member sites to audit, besides the central function
    """

    central_function: str
    factor: float | None
    random_site_ids: list[str]
    required_site_ids: list[str]
    rule: str
    sampled: bool
    sites: int
    size: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        central_function = self.central_function

        factor: float | None
        factor = self.factor

        random_site_ids = self.random_site_ids

        required_site_ids = self.required_site_ids

        rule = self.rule

        sampled = self.sampled

        sites = self.sites

        size = self.size

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "central_function": central_function,
                "factor": factor,
                "random_site_ids": random_site_ids,
                "required_site_ids": required_site_ids,
                "rule": rule,
                "sampled": sampled,
                "sites": sites,
                "size": size,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        central_function = d.pop("central_function")

        def _parse_factor(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        factor = _parse_factor(d.pop("factor"))

        random_site_ids = cast(list[str], d.pop("random_site_ids"))

        required_site_ids = cast(list[str], d.pop("required_site_ids"))

        rule = d.pop("rule")

        sampled = d.pop("sampled")

        sites = d.pop("sites")

        size = d.pop("size")

        sampling_public = cls(
            central_function=central_function,
            factor=factor,
            random_site_ids=random_site_ids,
            required_site_ids=required_site_ids,
            rule=rule,
            sampled=sampled,
            sites=sites,
            size=size,
        )

        sampling_public.additional_properties = d
        return sampling_public

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
