from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="Sampling")


@_attrs_define
class Sampling:
    """Site sampling of a group (multi-site) programme, IAF MD 1:2018 §7.3 / §8.2.

    Attributes:
        allowed (bool | Unset):  Default: True.
        initial_factor (float | Unset):  Default: 1.0.
        random_share (float | Unset):  Default: 0.25.
        renewal_factor (float | Unset):  Default: 0.8.
        surveillance_factor (float | Unset):  Default: 0.6.
        without_sampling_surveillance_share (float | Unset):  Default: 0.3.
    """

    allowed: bool | Unset = True
    initial_factor: float | Unset = 1.0
    random_share: float | Unset = 0.25
    renewal_factor: float | Unset = 0.8
    surveillance_factor: float | Unset = 0.6
    without_sampling_surveillance_share: float | Unset = 0.3

    def to_dict(self) -> dict[str, Any]:
        allowed = self.allowed

        initial_factor = self.initial_factor

        random_share = self.random_share

        renewal_factor = self.renewal_factor

        surveillance_factor = self.surveillance_factor

        without_sampling_surveillance_share = self.without_sampling_surveillance_share

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if allowed is not UNSET:
            field_dict["allowed"] = allowed
        if initial_factor is not UNSET:
            field_dict["initial_factor"] = initial_factor
        if random_share is not UNSET:
            field_dict["random_share"] = random_share
        if renewal_factor is not UNSET:
            field_dict["renewal_factor"] = renewal_factor
        if surveillance_factor is not UNSET:
            field_dict["surveillance_factor"] = surveillance_factor
        if without_sampling_surveillance_share is not UNSET:
            field_dict["without_sampling_surveillance_share"] = without_sampling_surveillance_share

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        allowed = d.pop("allowed", UNSET)

        initial_factor = d.pop("initial_factor", UNSET)

        random_share = d.pop("random_share", UNSET)

        renewal_factor = d.pop("renewal_factor", UNSET)

        surveillance_factor = d.pop("surveillance_factor", UNSET)

        without_sampling_surveillance_share = d.pop("without_sampling_surveillance_share", UNSET)

        sampling = cls(
            allowed=allowed,
            initial_factor=initial_factor,
            random_share=random_share,
            renewal_factor=renewal_factor,
            surveillance_factor=surveillance_factor,
            without_sampling_surveillance_share=without_sampling_surveillance_share,
        )

        return sampling
