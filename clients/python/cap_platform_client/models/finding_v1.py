from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Literal, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.finding_v1_type import FindingV1Type
from ..types import UNSET, Unset

T = TypeVar("T", bound="FindingV1")


@_attrs_define
class FindingV1:
    """One audit finding, on a criterion of the referential or a clause of the standard.

    Attributes:
        finding_id (str):
        title (str):
        type_ (FindingV1Type):
        clause (None | str | Unset): e.g. ISO 9001 8.4
        criterion_urn (None | str | Unset):
        description (str | Unset):  Default: ''.
        escalated_from (Literal['minor_nc'] | None | Unset): A major that was a minor not closed by the next audit, or
            minors counted as a major
        response_due (datetime.date | None | Unset): Deadline for a nonconformity
        site_id (None | str | Unset): The group member (site) the finding was made at; null: the audited organisation
            itself (the central function of a group)
    """

    finding_id: str
    title: str
    type_: FindingV1Type
    clause: None | str | Unset = UNSET
    criterion_urn: None | str | Unset = UNSET
    description: str | Unset = ""
    escalated_from: Literal["minor_nc"] | None | Unset = UNSET
    response_due: datetime.date | None | Unset = UNSET
    site_id: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        finding_id = self.finding_id

        title = self.title

        type_ = self.type_.value

        clause: None | str | Unset
        if isinstance(self.clause, Unset):
            clause = UNSET
        else:
            clause = self.clause

        criterion_urn: None | str | Unset
        if isinstance(self.criterion_urn, Unset):
            criterion_urn = UNSET
        else:
            criterion_urn = self.criterion_urn

        description = self.description

        escalated_from: Literal["minor_nc"] | None | Unset
        if isinstance(self.escalated_from, Unset):
            escalated_from = UNSET
        else:
            escalated_from = self.escalated_from

        response_due: None | str | Unset
        if isinstance(self.response_due, Unset):
            response_due = UNSET
        elif isinstance(self.response_due, datetime.date):
            response_due = self.response_due.isoformat()
        else:
            response_due = self.response_due

        site_id: None | str | Unset
        if isinstance(self.site_id, Unset):
            site_id = UNSET
        else:
            site_id = self.site_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "finding_id": finding_id,
                "title": title,
                "type": type_,
            }
        )
        if clause is not UNSET:
            field_dict["clause"] = clause
        if criterion_urn is not UNSET:
            field_dict["criterion_urn"] = criterion_urn
        if description is not UNSET:
            field_dict["description"] = description
        if escalated_from is not UNSET:
            field_dict["escalated_from"] = escalated_from
        if response_due is not UNSET:
            field_dict["response_due"] = response_due
        if site_id is not UNSET:
            field_dict["site_id"] = site_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        finding_id = d.pop("finding_id")

        title = d.pop("title")

        type_ = FindingV1Type(d.pop("type"))

        def _parse_clause(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        clause = _parse_clause(d.pop("clause", UNSET))

        def _parse_criterion_urn(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        criterion_urn = _parse_criterion_urn(d.pop("criterion_urn", UNSET))

        description = d.pop("description", UNSET)

        def _parse_escalated_from(data: object) -> Literal["minor_nc"] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            escalated_from_type_0 = cast(Literal["minor_nc"], data)
            if escalated_from_type_0 != "minor_nc":
                raise ValueError(f"escalated_from_type_0 must match const 'minor_nc', got '{escalated_from_type_0}'")
            return escalated_from_type_0
            return cast(Literal["minor_nc"] | None | Unset, data)

        escalated_from = _parse_escalated_from(d.pop("escalated_from", UNSET))

        def _parse_response_due(data: object) -> datetime.date | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                response_due_type_0 = datetime.date.fromisoformat(data)

                return response_due_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.date | None | Unset, data)

        response_due = _parse_response_due(d.pop("response_due", UNSET))

        def _parse_site_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        site_id = _parse_site_id(d.pop("site_id", UNSET))

        finding_v1 = cls(
            finding_id=finding_id,
            title=title,
            type_=type_,
            clause=clause,
            criterion_urn=criterion_urn,
            description=description,
            escalated_from=escalated_from,
            response_due=response_due,
            site_id=site_id,
        )

        finding_v1.additional_properties = d
        return finding_v1

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
