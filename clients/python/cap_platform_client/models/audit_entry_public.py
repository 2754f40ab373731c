from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="AuditEntryPublic")


@_attrs_define
class AuditEntryPublic:
    """One entry of a service's audit trail: who changed what, when, before and after.

    Attributes:
        action (str): What was done: "<record_type>.<past-tense verb>"
        actor (str): Who: user:<id>, client:<id>, service:<name> (an event handler), job:<name>, anonymous (a public
            route) or system
        actor_kind (str):
        after (Any): The record's state after (null: deleted)
        before (Any): The record's state before (null: created)
        client_id (None | str): The OAuth client of the request, if any
        consumed_event_id (None | str): The event being handled, if any
        event_id (None | str): The event this change published, if any
        hash_ (str): SHA-256 over prev_hash and the canonical entry
        occurred_at (datetime.datetime): When, on the service's clock
        on_behalf_of (None | str): The organisation or body whose record it is
        prev_hash (str):
        record_id (str):
        record_type (str):
        request_id (None | str):
        seq (int): Position in the chain, contiguous from 1
    """

    action: str
    actor: str
    actor_kind: str
    after: Any
    before: Any
    client_id: None | str
    consumed_event_id: None | str
    event_id: None | str
    hash_: str
    occurred_at: datetime.datetime
    on_behalf_of: None | str
    prev_hash: str
    record_id: str
    record_type: str
    request_id: None | str
    seq: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        action = self.action

        actor = self.actor

        actor_kind = self.actor_kind

        after = self.after

        before = self.before

        client_id: None | str
        client_id = self.client_id

        consumed_event_id: None | str
        consumed_event_id = self.consumed_event_id

        event_id: None | str
        event_id = self.event_id

        hash_ = self.hash_

        occurred_at = self.occurred_at.isoformat()

        on_behalf_of: None | str
        on_behalf_of = self.on_behalf_of

        prev_hash = self.prev_hash

        record_id = self.record_id

        record_type = self.record_type

        request_id: None | str
        request_id = self.request_id

        seq = self.seq

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "action": action,
                "actor": actor,
                "actor_kind": actor_kind,
                "after": after,
                "before": before,
                "client_id": client_id,
                "consumed_event_id": consumed_event_id,
                "event_id": event_id,
                "hash": hash_,
                "occurred_at": occurred_at,
                "on_behalf_of": on_behalf_of,
                "prev_hash": prev_hash,
                "record_id": record_id,
                "record_type": record_type,
                "request_id": request_id,
                "seq": seq,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        action = d.pop("action")

        actor = d.pop("actor")

        actor_kind = d.pop("actor_kind")

        after = d.pop("after")

        before = d.pop("before")

        def _parse_client_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        client_id = _parse_client_id(d.pop("client_id"))

        def _parse_consumed_event_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        consumed_event_id = _parse_consumed_event_id(d.pop("consumed_event_id"))

        def _parse_event_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        event_id = _parse_event_id(d.pop("event_id"))

        hash_ = d.pop("hash")

        occurred_at = datetime.datetime.fromisoformat(d.pop("occurred_at"))

        def _parse_on_behalf_of(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        on_behalf_of = _parse_on_behalf_of(d.pop("on_behalf_of"))

        prev_hash = d.pop("prev_hash")

        record_id = d.pop("record_id")

        record_type = d.pop("record_type")

        def _parse_request_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        request_id = _parse_request_id(d.pop("request_id"))

        seq = d.pop("seq")

        audit_entry_public = cls(
            action=action,
            actor=actor,
            actor_kind=actor_kind,
            after=after,
            before=before,
            client_id=client_id,
            consumed_event_id=consumed_event_id,
            event_id=event_id,
            hash_=hash_,
            occurred_at=occurred_at,
            on_behalf_of=on_behalf_of,
            prev_hash=prev_hash,
            record_id=record_id,
            record_type=record_type,
            request_id=request_id,
            seq=seq,
        )

        audit_entry_public.additional_properties = d
        return audit_entry_public

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
