from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.audit_problem_public_kind import AuditProblemPublicKind

T = TypeVar("T", bound="AuditProblemPublic")


@_attrs_define
class AuditProblemPublic:
    """One problem found in a chain.

    Attributes:
        detail (str):
        expected_seq (int | None): Where a reordered entry belongs
        kind (AuditProblemPublicKind): altered (no longer matches its hash, or differs from an anchor), removed (entries
            missing), reordered (moved from where it was hashed), truncated (the chain ends before its last anchor)
        last_seq (int): The last entry of a range (seq when one entry)
        seq (int): The entry concerned (the first of a range)
    """

    detail: str
    expected_seq: int | None
    kind: AuditProblemPublicKind
    last_seq: int
    seq: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        detail = self.detail

        expected_seq: int | None
        expected_seq = self.expected_seq

        kind = self.kind.value

        last_seq = self.last_seq

        seq = self.seq

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "detail": detail,
                "expected_seq": expected_seq,
                "kind": kind,
                "last_seq": last_seq,
                "seq": seq,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        detail = d.pop("detail")

        def _parse_expected_seq(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        expected_seq = _parse_expected_seq(d.pop("expected_seq"))

        kind = AuditProblemPublicKind(d.pop("kind"))

        last_seq = d.pop("last_seq")

        seq = d.pop("seq")

        audit_problem_public = cls(
            detail=detail,
            expected_seq=expected_seq,
            kind=kind,
            last_seq=last_seq,
            seq=seq,
        )

        audit_problem_public.additional_properties = d
        return audit_problem_public

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
