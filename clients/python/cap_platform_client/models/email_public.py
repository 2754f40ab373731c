from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="EmailPublic")


@_attrs_define
class EmailPublic:
    """One line of the mail log.

    Attributes:
        attempts (int):
        created_at (datetime.datetime):
        event_id (None | str):
        event_type (None | str):
        id (str):
        kind (str):
        last_error (None | str):
        message_id (str):
        next_attempt_at (datetime.datetime):
        sent_at (datetime.datetime | None):
        status (str):
        subject (None | str):
        to_address (str):
        user_id (str):
    """

    attempts: int
    created_at: datetime.datetime
    event_id: None | str
    event_type: None | str
    id: str
    kind: str
    last_error: None | str
    message_id: str
    next_attempt_at: datetime.datetime
    sent_at: datetime.datetime | None
    status: str
    subject: None | str
    to_address: str
    user_id: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        attempts = self.attempts

        created_at = self.created_at.isoformat()

        event_id: None | str
        event_id = self.event_id

        event_type: None | str
        event_type = self.event_type

        id = self.id

        kind = self.kind

        last_error: None | str
        last_error = self.last_error

        message_id = self.message_id

        next_attempt_at = self.next_attempt_at.isoformat()

        sent_at: None | str
        if isinstance(self.sent_at, datetime.datetime):
            sent_at = self.sent_at.isoformat()
        else:
            sent_at = self.sent_at

        status = self.status

        subject: None | str
        subject = self.subject

        to_address = self.to_address

        user_id = self.user_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "attempts": attempts,
                "created_at": created_at,
                "event_id": event_id,
                "event_type": event_type,
                "id": id,
                "kind": kind,
                "last_error": last_error,
                "message_id": message_id,
                "next_attempt_at": next_attempt_at,
                "sent_at": sent_at,
                "status": status,
                "subject": subject,
                "to_address": to_address,
                "user_id": user_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        attempts = d.pop("attempts")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        def _parse_event_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        event_id = _parse_event_id(d.pop("event_id"))

        def _parse_event_type(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        event_type = _parse_event_type(d.pop("event_type"))

        id = d.pop("id")

        kind = d.pop("kind")

        def _parse_last_error(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        last_error = _parse_last_error(d.pop("last_error"))

        message_id = d.pop("message_id")

        next_attempt_at = datetime.datetime.fromisoformat(d.pop("next_attempt_at"))

        def _parse_sent_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                sent_at_type_0 = datetime.datetime.fromisoformat(data)

                return sent_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        sent_at = _parse_sent_at(d.pop("sent_at"))

        status = d.pop("status")

        def _parse_subject(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        subject = _parse_subject(d.pop("subject"))

        to_address = d.pop("to_address")

        user_id = d.pop("user_id")

        email_public = cls(
            attempts=attempts,
            created_at=created_at,
            event_id=event_id,
            event_type=event_type,
            id=id,
            kind=kind,
            last_error=last_error,
            message_id=message_id,
            next_attempt_at=next_attempt_at,
            sent_at=sent_at,
            status=status,
            subject=subject,
            to_address=to_address,
            user_id=user_id,
        )

        email_public.additional_properties = d
        return email_public

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
