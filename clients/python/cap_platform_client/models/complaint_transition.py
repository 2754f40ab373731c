from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.complaint_transition_step import ComplaintTransitionStep
from ..types import UNSET, Unset

T = TypeVar("T", bound="ComplaintTransition")


@_attrs_define
class ComplaintTransition:
    """A step of the committee on a complaint.

    Attributes:
        step (ComplaintTransitionStep):
        resolution (None | str | Unset):
    """

    step: ComplaintTransitionStep
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
        step = ComplaintTransitionStep(d.pop("step"))

        def _parse_resolution(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        resolution = _parse_resolution(d.pop("resolution", UNSET))

        complaint_transition = cls(
            step=step,
            resolution=resolution,
        )

        return complaint_transition
