from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.audit_requested_v1_scheme import AuditRequestedV1Scheme
from ..types import UNSET, Unset

T = TypeVar("T", bound="AuditRequestedV1")


@_attrs_define
class AuditRequestedV1:
    """An audit request, for the body and for the people to notify.

    Attributes:
        audit_id (str):
        audit_type (str):
        certification_body_id (str):
        organisation_id (str):
        programme_id (str):
        requested_at (datetime.datetime):
        scheme (AuditRequestedV1Scheme):
        due_by (datetime.date | None | Unset):
        planner_user_ids (list[str] | Unset): The platform accounts of the body's planners (auditors designated to plan
            its audits): the only people of the body to notify of the request; the team is told once assigned
            (audit.planned.v1)
    """

    audit_id: str
    audit_type: str
    certification_body_id: str
    organisation_id: str
    programme_id: str
    requested_at: datetime.datetime
    scheme: AuditRequestedV1Scheme
    due_by: datetime.date | None | Unset = UNSET
    planner_user_ids: list[str] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        audit_id = self.audit_id

        audit_type = self.audit_type

        certification_body_id = self.certification_body_id

        organisation_id = self.organisation_id

        programme_id = self.programme_id

        requested_at = self.requested_at.isoformat()

        scheme = self.scheme.value

        due_by: None | str | Unset
        if isinstance(self.due_by, Unset):
            due_by = UNSET
        elif isinstance(self.due_by, datetime.date):
            due_by = self.due_by.isoformat()
        else:
            due_by = self.due_by

        planner_user_ids: list[str] | Unset = UNSET
        if not isinstance(self.planner_user_ids, Unset):
            planner_user_ids = self.planner_user_ids

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "audit_id": audit_id,
                "audit_type": audit_type,
                "certification_body_id": certification_body_id,
                "organisation_id": organisation_id,
                "programme_id": programme_id,
                "requested_at": requested_at,
                "scheme": scheme,
            }
        )
        if due_by is not UNSET:
            field_dict["due_by"] = due_by
        if planner_user_ids is not UNSET:
            field_dict["planner_user_ids"] = planner_user_ids

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        audit_id = d.pop("audit_id")

        audit_type = d.pop("audit_type")

        certification_body_id = d.pop("certification_body_id")

        organisation_id = d.pop("organisation_id")

        programme_id = d.pop("programme_id")

        requested_at = datetime.datetime.fromisoformat(d.pop("requested_at"))

        scheme = AuditRequestedV1Scheme(d.pop("scheme"))

        def _parse_due_by(data: object) -> datetime.date | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                due_by_type_0 = datetime.date.fromisoformat(data)

                return due_by_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.date | None | Unset, data)

        due_by = _parse_due_by(d.pop("due_by", UNSET))

        planner_user_ids = cast(list[str], d.pop("planner_user_ids", UNSET))

        audit_requested_v1 = cls(
            audit_id=audit_id,
            audit_type=audit_type,
            certification_body_id=certification_body_id,
            organisation_id=organisation_id,
            programme_id=programme_id,
            requested_at=requested_at,
            scheme=scheme,
            due_by=due_by,
            planner_user_ids=planner_user_ids,
        )

        audit_requested_v1.additional_properties = d
        return audit_requested_v1

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
