from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.application_transition_step import ApplicationTransitionStep
from ..types import UNSET, Unset

T = TypeVar("T", bound="ApplicationTransition")


@_attrs_define
class ApplicationTransition:
    """A step on an application: accept, reject (with a reason) or withdraw.

    Attributes:
        step (ApplicationTransitionStep):
        reason (None | str | Unset):
    """

    step: ApplicationTransitionStep
    reason: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        step = self.step.value

        reason: None | str | Unset
        if isinstance(self.reason, Unset):
            reason = UNSET
        else:
            reason = self.reason

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "step": step,
            }
        )
        if reason is not UNSET:
            field_dict["reason"] = reason

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        step = ApplicationTransitionStep(d.pop("step"))

        def _parse_reason(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        reason = _parse_reason(d.pop("reason", UNSET))

        application_transition = cls(
            step=step,
            reason=reason,
        )

        return application_transition
