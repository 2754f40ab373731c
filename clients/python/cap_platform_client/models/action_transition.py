from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.action_transition_step import ActionTransitionStep
from ..types import UNSET, Unset

T = TypeVar("T", bound="ActionTransition")


@_attrs_define
class ActionTransition:
    """A lifecycle step of an action, with an optional note kept as a review.

    Attributes:
        step (ActionTransitionStep):
        note (None | str | Unset):
    """

    step: ActionTransitionStep
    note: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        step = self.step.value

        note: None | str | Unset
        if isinstance(self.note, Unset):
            note = UNSET
        else:
            note = self.note

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "step": step,
            }
        )
        if note is not UNSET:
            field_dict["note"] = note

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        step = ActionTransitionStep(d.pop("step"))

        def _parse_note(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        note = _parse_note(d.pop("note", UNSET))

        action_transition = cls(
            step=step,
            note=note,
        )

        return action_transition
