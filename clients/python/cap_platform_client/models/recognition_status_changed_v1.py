from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.recognition_status_changed_v1_previous_status_type_0 import RecognitionStatusChangedV1PreviousStatusType0
from ..models.recognition_status_changed_v1_scheme import RecognitionStatusChangedV1Scheme
from ..models.recognition_status_changed_v1_status import RecognitionStatusChangedV1Status
from ..types import UNSET, Unset

T = TypeVar("T", bound="RecognitionStatusChangedV1")


@_attrs_define
class RecognitionStatusChangedV1:
    """A recognition's current state; consumers keep the one with the latest ``changed_at``.

    Attributes:
        changed_at (datetime.datetime):
        effective_date (datetime.date):
        expiry_date (datetime.date):
        number (str): Public number of the label or certificate
        organisation_id (str):
        recognition_id (str):
        scheme (RecognitionStatusChangedV1Scheme):
        status (RecognitionStatusChangedV1Status):
        cycle_start (datetime.date | None | Unset): The day the cycle's schedule counts from: the decision for a first
            grant, the previous expiry for a renewal or a restoration
        decided_on (datetime.date | None | Unset): The decision of this cycle
        level (None | str | Unset): CAP RSE level; null for CAP ISO 9001
        previous_status (None | RecognitionStatusChangedV1PreviousStatusType0 | Unset): Null when the recognition is
            granted
        reason (None | str | Unset):
        scope (None | str | Unset):
    """

    changed_at: datetime.datetime
    effective_date: datetime.date
    expiry_date: datetime.date
    number: str
    organisation_id: str
    recognition_id: str
    scheme: RecognitionStatusChangedV1Scheme
    status: RecognitionStatusChangedV1Status
    cycle_start: datetime.date | None | Unset = UNSET
    decided_on: datetime.date | None | Unset = UNSET
    level: None | str | Unset = UNSET
    previous_status: None | RecognitionStatusChangedV1PreviousStatusType0 | Unset = UNSET
    reason: None | str | Unset = UNSET
    scope: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        changed_at = self.changed_at.isoformat()

        effective_date = self.effective_date.isoformat()

        expiry_date = self.expiry_date.isoformat()

        number = self.number

        organisation_id = self.organisation_id

        recognition_id = self.recognition_id

        scheme = self.scheme.value

        status = self.status.value

        cycle_start: None | str | Unset
        if isinstance(self.cycle_start, Unset):
            cycle_start = UNSET
        elif isinstance(self.cycle_start, datetime.date):
            cycle_start = self.cycle_start.isoformat()
        else:
            cycle_start = self.cycle_start

        decided_on: None | str | Unset
        if isinstance(self.decided_on, Unset):
            decided_on = UNSET
        elif isinstance(self.decided_on, datetime.date):
            decided_on = self.decided_on.isoformat()
        else:
            decided_on = self.decided_on

        level: None | str | Unset
        if isinstance(self.level, Unset):
            level = UNSET
        else:
            level = self.level

        previous_status: None | str | Unset
        if isinstance(self.previous_status, Unset):
            previous_status = UNSET
        elif isinstance(self.previous_status, RecognitionStatusChangedV1PreviousStatusType0):
            previous_status = self.previous_status.value
        else:
            previous_status = self.previous_status

        reason: None | str | Unset
        if isinstance(self.reason, Unset):
            reason = UNSET
        else:
            reason = self.reason

        scope: None | str | Unset
        if isinstance(self.scope, Unset):
            scope = UNSET
        else:
            scope = self.scope

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "changed_at": changed_at,
                "effective_date": effective_date,
                "expiry_date": expiry_date,
                "number": number,
                "organisation_id": organisation_id,
                "recognition_id": recognition_id,
                "scheme": scheme,
                "status": status,
            }
        )
        if cycle_start is not UNSET:
            field_dict["cycle_start"] = cycle_start
        if decided_on is not UNSET:
            field_dict["decided_on"] = decided_on
        if level is not UNSET:
            field_dict["level"] = level
        if previous_status is not UNSET:
            field_dict["previous_status"] = previous_status
        if reason is not UNSET:
            field_dict["reason"] = reason
        if scope is not UNSET:
            field_dict["scope"] = scope

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        changed_at = datetime.datetime.fromisoformat(d.pop("changed_at"))

        effective_date = datetime.date.fromisoformat(d.pop("effective_date"))

        expiry_date = datetime.date.fromisoformat(d.pop("expiry_date"))

        number = d.pop("number")

        organisation_id = d.pop("organisation_id")

        recognition_id = d.pop("recognition_id")

        scheme = RecognitionStatusChangedV1Scheme(d.pop("scheme"))

        status = RecognitionStatusChangedV1Status(d.pop("status"))

        def _parse_cycle_start(data: object) -> datetime.date | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                cycle_start_type_0 = datetime.date.fromisoformat(data)

                return cycle_start_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.date | None | Unset, data)

        cycle_start = _parse_cycle_start(d.pop("cycle_start", UNSET))

        def _parse_decided_on(data: object) -> datetime.date | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                decided_on_type_0 = datetime.date.fromisoformat(data)

                return decided_on_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.date | None | Unset, data)

        decided_on = _parse_decided_on(d.pop("decided_on", UNSET))

        def _parse_level(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        level = _parse_level(d.pop("level", UNSET))

        def _parse_previous_status(data: object) -> None | RecognitionStatusChangedV1PreviousStatusType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                previous_status_type_0 = RecognitionStatusChangedV1PreviousStatusType0(data)

                return previous_status_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | RecognitionStatusChangedV1PreviousStatusType0 | Unset, data)

        previous_status = _parse_previous_status(d.pop("previous_status", UNSET))

        def _parse_reason(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        reason = _parse_reason(d.pop("reason", UNSET))

        def _parse_scope(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        scope = _parse_scope(d.pop("scope", UNSET))

        recognition_status_changed_v1 = cls(
            changed_at=changed_at,
            effective_date=effective_date,
            expiry_date=expiry_date,
            number=number,
            organisation_id=organisation_id,
            recognition_id=recognition_id,
            scheme=scheme,
            status=status,
            cycle_start=cycle_start,
            decided_on=decided_on,
            level=level,
            previous_status=previous_status,
            reason=reason,
            scope=scope,
        )

        recognition_status_changed_v1.additional_properties = d
        return recognition_status_changed_v1

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
