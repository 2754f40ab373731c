from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..models.recognition_transition_step import RecognitionTransitionStep

T = TypeVar("T", bound="RecognitionTransition")


@_attrs_define
class RecognitionTransition:
    """The committee suspends, restores or withdraws a recognition, with a reason.

    Attributes:
        reason (str): Recorded in the history
        step (RecognitionTransitionStep):
    """

    reason: str
    step: RecognitionTransitionStep

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

        step = RecognitionTransitionStep(d.pop("step"))

        recognition_transition = cls(
            reason=reason,
            step=step,
        )

        return recognition_transition
