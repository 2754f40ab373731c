from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.complaint_step_in_step import ComplaintStepInStep
from ..types import UNSET, Unset

T = TypeVar("T", bound="ComplaintStepIn")


@_attrs_define
class ComplaintStepIn:
    """
    Attributes:
        step (ComplaintStepInStep):
        resolution (None | str | Unset):
    """

    step: ComplaintStepInStep
    resolution: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        step = self.step.value

        resolution: None | str | Unset
        if isinstance(self.resolution, Unset):
            resolution = UNSET
        else:
            resolution = self.resolution

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "step": step,
            }
        )
        if resolution is not UNSET:
            field_dict["resolution"] = resolution

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        step = ComplaintStepInStep(d.pop("step"))

        def _parse_resolution(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        resolution = _parse_resolution(d.pop("resolution", UNSET))

        complaint_step_in = cls(
            step=step,
            resolution=resolution,
        )

        return complaint_step_in
