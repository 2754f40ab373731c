from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="ScopeReduction")


@_attrs_define
class ScopeReduction:
    """A CAP ISO 9001 certificate's reduced scope, with the reason.

    Attributes:
        reason (str): Recorded in the history
        scope (str): The reduced scope
    """

    reason: str
    scope: str

    def to_dict(self) -> dict[str, Any]:
        reason = self.reason

        scope = self.scope

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "reason": reason,
                "scope": scope,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        reason = d.pop("reason")

        scope = d.pop("scope")

        scope_reduction = cls(
            reason=reason,
            scope=scope,
        )

        return scope_reduction
