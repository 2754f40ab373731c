from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.audit_transition_step import AuditTransitionStep
from ..types import UNSET, Unset

T = TypeVar("T", bound="AuditTransition")


@_attrs_define
class AuditTransition:
    """A step of an audit (accept, start, submit the report, close, cancel).

    Attributes:
        step (AuditTransitionStep):
        reason (None | str | Unset): Why (cancel)
        summary (None | str | Unset): Report summary (submit_report)
    """

    step: AuditTransitionStep
    reason: None | str | Unset = UNSET
    summary: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        step = self.step.value

        reason: None | str | Unset
        if isinstance(self.reason, Unset):
            reason = UNSET
        else:
            reason = self.reason

        summary: None | str | Unset
        if isinstance(self.summary, Unset):
            summary = UNSET
        else:
            summary = self.summary

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "step": step,
            }
        )
        if reason is not UNSET:
            field_dict["reason"] = reason
        if summary is not UNSET:
            field_dict["summary"] = summary

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        step = AuditTransitionStep(d.pop("step"))

        def _parse_reason(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        reason = _parse_reason(d.pop("reason", UNSET))

        def _parse_summary(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        summary = _parse_summary(d.pop("summary", UNSET))

        audit_transition = cls(
            step=step,
            reason=reason,
            summary=summary,
        )

        return audit_transition
