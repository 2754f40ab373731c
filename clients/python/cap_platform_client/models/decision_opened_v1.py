from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.decision_opened_v1_kind import DecisionOpenedV1Kind
from ..models.decision_opened_v1_scheme import DecisionOpenedV1Scheme
from ..types import UNSET, Unset

T = TypeVar("T", bound="DecisionOpenedV1")


@_attrs_define
class DecisionOpenedV1:
    """A decision file awaits the committee (CAP RSE) or the body's decision (CAP ISO 9001).

    Attributes:
        audit_id (str):
        decision_id (str):
        kind (DecisionOpenedV1Kind):
        organisation_id (str):
        scheme (DecisionOpenedV1Scheme):
        computed_level (None | str | Unset): CAP RSE level from the rule
    """

    audit_id: str
    decision_id: str
    kind: DecisionOpenedV1Kind
    organisation_id: str
    scheme: DecisionOpenedV1Scheme
    computed_level: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        audit_id = self.audit_id

        decision_id = self.decision_id

        kind = self.kind.value

        organisation_id = self.organisation_id

        scheme = self.scheme.value

        computed_level: None | str | Unset
        if isinstance(self.computed_level, Unset):
            computed_level = UNSET
        else:
            computed_level = self.computed_level

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "audit_id": audit_id,
                "decision_id": decision_id,
                "kind": kind,
                "organisation_id": organisation_id,
                "scheme": scheme,
            }
        )
        if computed_level is not UNSET:
            field_dict["computed_level"] = computed_level

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        audit_id = d.pop("audit_id")

        decision_id = d.pop("decision_id")

        kind = DecisionOpenedV1Kind(d.pop("kind"))

        organisation_id = d.pop("organisation_id")

        scheme = DecisionOpenedV1Scheme(d.pop("scheme"))

        def _parse_computed_level(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        computed_level = _parse_computed_level(d.pop("computed_level", UNSET))

        decision_opened_v1 = cls(
            audit_id=audit_id,
            decision_id=decision_id,
            kind=kind,
            organisation_id=organisation_id,
            scheme=scheme,
            computed_level=computed_level,
        )

        decision_opened_v1.additional_properties = d
        return decision_opened_v1

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
