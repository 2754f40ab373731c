from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.dead_letter_public_headers import DeadLetterPublicHeaders


T = TypeVar("T", bound="DeadLetterPublic")


@_attrs_define
class DeadLetterPublic:
    """A dead-lettered message as operators see it.

    Attributes:
        attempts (int):
        body (str):
        body_encoding (str):
        dead_lettered_at (datetime.datetime):
        death_count (int):
        event_type (None | str):
        headers (DeadLetterPublicHeaders):
        id (str):
        message_id (None | str):
        queue (str):
        reason (str):
        replay_count (int):
        replayed_at (datetime.datetime | None):
        routing_key (str):
    """

    attempts: int
    body: str
    body_encoding: str
    dead_lettered_at: datetime.datetime
    death_count: int
    event_type: None | str
    headers: DeadLetterPublicHeaders
    id: str
    message_id: None | str
    queue: str
    reason: str
    replay_count: int
    replayed_at: datetime.datetime | None
    routing_key: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        attempts = self.attempts

        body = self.body

        body_encoding = self.body_encoding

        dead_lettered_at = self.dead_lettered_at.isoformat()

        death_count = self.death_count

        event_type: None | str
        event_type = self.event_type

        headers = self.headers.to_dict()

        id = self.id

        message_id: None | str
        message_id = self.message_id

        queue = self.queue

        reason = self.reason

        replay_count = self.replay_count

        replayed_at: None | str
        if isinstance(self.replayed_at, datetime.datetime):
            replayed_at = self.replayed_at.isoformat()
        else:
            replayed_at = self.replayed_at

        routing_key = self.routing_key

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "attempts": attempts,
                "body": body,
                "body_encoding": body_encoding,
                "dead_lettered_at": dead_lettered_at,
                "death_count": death_count,
                "event_type": event_type,
                "headers": headers,
                "id": id,
                "message_id": message_id,
                "queue": queue,
                "reason": reason,
                "replay_count": replay_count,
                "replayed_at": replayed_at,
                "routing_key": routing_key,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.dead_letter_public_headers import DeadLetterPublicHeaders  # noqa: PLC0415

        d = dict(src_dict)
        attempts = d.pop("attempts")

        body = d.pop("body")

        body_encoding = d.pop("body_encoding")

        dead_lettered_at = datetime.datetime.fromisoformat(d.pop("dead_lettered_at"))

        death_count = d.pop("death_count")

        def _parse_event_type(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        event_type = _parse_event_type(d.pop("event_type"))

        headers = DeadLetterPublicHeaders.from_dict(d.pop("headers"))

        id = d.pop("id")

        def _parse_message_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        message_id = _parse_message_id(d.pop("message_id"))

        queue = d.pop("queue")

        reason = d.pop("reason")

        replay_count = d.pop("replay_count")

        def _parse_replayed_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                replayed_at_type_0 = datetime.datetime.fromisoformat(data)

                return replayed_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        replayed_at = _parse_replayed_at(d.pop("replayed_at"))

        routing_key = d.pop("routing_key")

        dead_letter_public = cls(
            attempts=attempts,
            body=body,
            body_encoding=body_encoding,
            dead_lettered_at=dead_lettered_at,
            death_count=death_count,
            event_type=event_type,
            headers=headers,
            id=id,
            message_id=message_id,
            queue=queue,
            reason=reason,
            replay_count=replay_count,
            replayed_at=replayed_at,
            routing_key=routing_key,
        )

        dead_letter_public.additional_properties = d
        return dead_letter_public

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
