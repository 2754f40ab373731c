from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.decision_held_v1_scheme import DecisionHeldV1Scheme
from ..types import UNSET, Unset

T = TypeVar("T", bound="DecisionHeldV1")


@_attrs_define
class DecisionHeldV1:
    """No recognition becomes active while a major nonconformity of the deciding audit is not
    verified closed: the decision (the body's, for CAP ISO 9001) is kept and takes effect when
    they are, or lapses when a new stage 2 is required.

        Attributes:
            audit_id (str):
            decision_id (str):
            open_major_nc (int):
            organisation_id (str):
            scheme (DecisionHeldV1Scheme):
            certification_body_id (None | str | Unset):
            held_until (datetime.date | None | Unset): After this day a new stage 2 (evaluation) is required
    """

    audit_id: str
    decision_id: str
    open_major_nc: int
    organisation_id: str
    scheme: DecisionHeldV1Scheme
    certification_body_id: None | str | Unset = UNSET
    held_until: datetime.date | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        audit_id = self.audit_id

        decision_id = self.decision_id

        open_major_nc = self.open_major_nc

        organisation_id = self.organisation_id

        scheme = self.scheme.value

        certification_body_id: None | str | Unset
        if isinstance(self.certification_body_id, Unset):
            certification_body_id = UNSET
        else:
            certification_body_id = self.certification_body_id

        held_until: None | str | Unset
        if isinstance(self.held_until, Unset):
            held_until = UNSET
        elif isinstance(self.held_until, datetime.date):
            held_until = self.held_until.isoformat()
        else:
            held_until = self.held_until

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "audit_id": audit_id,
                "decision_id": decision_id,
                "open_major_nc": open_major_nc,
                "organisation_id": organisation_id,
                "scheme": scheme,
            }
        )
        if certification_body_id is not UNSET:
            field_dict["certification_body_id"] = certification_body_id
        if held_until is not UNSET:
            field_dict["held_until"] = held_until

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        audit_id = d.pop("audit_id")

        decision_id = d.pop("decision_id")

        open_major_nc = d.pop("open_major_nc")

        organisation_id = d.pop("organisation_id")

        scheme = DecisionHeldV1Scheme(d.pop("scheme"))

        def _parse_certification_body_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        certification_body_id = _parse_certification_body_id(d.pop("certification_body_id", UNSET))

        def _parse_held_until(data: object) -> datetime.date | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                held_until_type_0 = datetime.date.fromisoformat(data)

                return held_until_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.date | None | Unset, data)

        held_until = _parse_held_until(d.pop("held_until", UNSET))

        decision_held_v1 = cls(
            audit_id=audit_id,
            decision_id=decision_id,
            open_major_nc=open_major_nc,
            organisation_id=organisation_id,
            scheme=scheme,
            certification_body_id=certification_body_id,
            held_until=held_until,
        )

        decision_held_v1.additional_properties = d
        return decision_held_v1

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
