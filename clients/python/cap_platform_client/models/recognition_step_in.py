from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..models.recognition_step_in_step import RecognitionStepInStep

T = TypeVar("T", bound="RecognitionStepIn")


@_attrs_define
class RecognitionStepIn:
    """
    Attributes:
        reason (str): Recorded in the history
        step (RecognitionStepInStep):
    """

    reason: str
    step: RecognitionStepInStep

    def to_dict(self) -> dict[str, Any]:
        reason = self.reason

        step = self.step.value

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "reason": reason,
                "step": step,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        reason = d.pop("reason")

        step = RecognitionStepInStep(d.pop("step"))

        recognition_step_in = cls(
            reason=reason,
            step=step,
        )

        return recognition_step_in
