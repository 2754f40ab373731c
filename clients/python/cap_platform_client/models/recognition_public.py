from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.change_public import ChangePublic


T = TypeVar("T", bound="RecognitionPublic")


@_attrs_define
class RecognitionPublic:
    """A recognition with its full history.

    Attributes:
        certification_body_id (None | str):
        cycle_start (datetime.date):
        decided_on (datetime.date):
        decision_id (None | str):
        effective_date (datetime.date):
        expiry_date (datetime.date):
        external_number (None | str):
        group_member_ids (list[str]):
        history (list[ChangePublic]):
        id (str):
        issued_on (datetime.date):
        level (None | str):
        next_surveillance_due (datetime.date | None):
        number (str):
        organisation_id (str):
        previous_id (None | str):
        renewed_by_id (None | str):
        scheme (str):
        scope (str):
        source (str):
        status (str):
        suspended_on (datetime.date | None):
        suspension_cause (None | str):
        verification_code (str):
    """

    certification_body_id: None | str
    cycle_start: datetime.date
    decided_on: datetime.date
    decision_id: None | str
    effective_date: datetime.date
    expiry_date: datetime.date
    external_number: None | str
    group_member_ids: list[str]
    history: list[ChangePublic]
    id: str
    issued_on: datetime.date
    level: None | str
    next_surveillance_due: datetime.date | None
    number: str
    organisation_id: str
    previous_id: None | str
    renewed_by_id: None | str
    scheme: str
    scope: str
    source: str
    status: str
    suspended_on: datetime.date | None
    suspension_cause: None | str
    verification_code: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        certification_body_id: None | str
        certification_body_id = self.certification_body_id

        cycle_start = self.cycle_start.isoformat()

        decided_on = self.decided_on.isoformat()

        decision_id: None | str
        decision_id = self.decision_id

        effective_date = self.effective_date.isoformat()

        expiry_date = self.expiry_date.isoformat()

        external_number: None | str
        external_number = self.external_number

        group_member_ids = self.group_member_ids

        history = []
        for history_item_data in self.history:
            history_item = history_item_data.to_dict()
            history.append(history_item)

        id = self.id

        issued_on = self.issued_on.isoformat()

        level: None | str
        level = self.level

        next_surveillance_due: None | str
        if isinstance(self.next_surveillance_due, datetime.date):
            next_surveillance_due = self.next_surveillance_due.isoformat()
        else:
            next_surveillance_due = self.next_surveillance_due

        number = self.number

        organisation_id = self.organisation_id

        previous_id: None | str
        previous_id = self.previous_id

        renewed_by_id: None | str
        renewed_by_id = self.renewed_by_id

        scheme = self.scheme

        scope = self.scope

        source = self.source

        status = self.status

        suspended_on: None | str
        if isinstance(self.suspended_on, datetime.date):
            suspended_on = self.suspended_on.isoformat()
        else:
            suspended_on = self.suspended_on

        suspension_cause: None | str
        suspension_cause = self.suspension_cause

        verification_code = self.verification_code

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "certification_body_id": certification_body_id,
                "cycle_start": cycle_start,
                "decided_on": decided_on,
                "decision_id": decision_id,
                "effective_date": effective_date,
                "expiry_date": expiry_date,
                "external_number": external_number,
                "group_member_ids": group_member_ids,
                "history": history,
                "id": id,
                "issued_on": issued_on,
                "level": level,
                "next_surveillance_due": next_surveillance_due,
                "number": number,
                "organisation_id": organisation_id,
                "previous_id": previous_id,
                "renewed_by_id": renewed_by_id,
                "scheme": scheme,
                "scope": scope,
                "source": source,
                "status": status,
                "suspended_on": suspended_on,
                "suspension_cause": suspension_cause,
                "verification_code": verification_code,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.change_public import ChangePublic  # noqa: PLC0415

        d = dict(src_dict)

        def _parse_certification_body_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        certification_body_id = _parse_certification_body_id(d.pop("certification_body_id"))

        cycle_start = datetime.date.fromisoformat(d.pop("cycle_start"))

        decided_on = datetime.date.fromisoformat(d.pop("decided_on"))

        def _parse_decision_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        decision_id = _parse_decision_id(d.pop("decision_id"))

        effective_date = datetime.date.fromisoformat(d.pop("effective_date"))

        expiry_date = datetime.date.fromisoformat(d.pop("expiry_date"))

        def _parse_external_number(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        external_number = _parse_external_number(d.pop("external_number"))

        group_member_ids = cast(list[str], d.pop("group_member_ids"))

        history = []
        _history = d.pop("history")
        for history_item_data in _history:
            history_item = ChangePublic.from_dict(history_item_data)

            history.append(history_item)

        id = d.pop("id")

        issued_on = datetime.date.fromisoformat(d.pop("issued_on"))

        def _parse_level(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        level = _parse_level(d.pop("level"))

        def _parse_next_surveillance_due(data: object) -> datetime.date | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                next_surveillance_due_type_0 = datetime.date.fromisoformat(data)

                return next_surveillance_due_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.date | None, data)

        next_surveillance_due = _parse_next_surveillance_due(d.pop("next_surveillance_due"))

        number = d.pop("number")

        organisation_id = d.pop("organisation_id")

        def _parse_previous_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        previous_id = _parse_previous_id(d.pop("previous_id"))

        def _parse_renewed_by_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        renewed_by_id = _parse_renewed_by_id(d.pop("renewed_by_id"))

        scheme = d.pop("scheme")

        scope = d.pop("scope")

        source = d.pop("source")

        status = d.pop("status")

        def _parse_suspended_on(data: object) -> datetime.date | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                suspended_on_type_0 = datetime.date.fromisoformat(data)

                return suspended_on_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.date | None, data)

        suspended_on = _parse_suspended_on(d.pop("suspended_on"))

        def _parse_suspension_cause(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        suspension_cause = _parse_suspension_cause(d.pop("suspension_cause"))

        verification_code = d.pop("verification_code")

        recognition_public = cls(
            certification_body_id=certification_body_id,
            cycle_start=cycle_start,
            decided_on=decided_on,
            decision_id=decision_id,
            effective_date=effective_date,
            expiry_date=expiry_date,
            external_number=external_number,
            group_member_ids=group_member_ids,
            history=history,
            id=id,
            issued_on=issued_on,
            level=level,
            next_surveillance_due=next_surveillance_due,
            number=number,
            organisation_id=organisation_id,
            previous_id=previous_id,
            renewed_by_id=renewed_by_id,
            scheme=scheme,
            scope=scope,
            source=source,
            status=status,
            suspended_on=suspended_on,
            suspension_cause=suspension_cause,
            verification_code=verification_code,
        )

        recognition_public.additional_properties = d
        return recognition_public

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
