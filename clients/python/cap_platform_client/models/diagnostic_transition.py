from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..models.transition_action import TransitionAction

T = TypeVar("T", bound="DiagnosticTransition")


@_attrs_define
class DiagnosticTransition:
    """A lifecycle step.

    Attributes:
        action (TransitionAction):
    """

    action: TransitionAction

    def to_dict(self) -> dict[str, Any]:
        action = self.action.value

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "action": action,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        action = TransitionAction(d.pop("action"))

        diagnostic_transition = cls(
            action=action,
        )

        return diagnostic_transition
