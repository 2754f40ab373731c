from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.application_accepted_v1 import ApplicationAcceptedV1


T = TypeVar("T", bound="ApplicationAcceptedV1Delivery")


@_attrs_define
class ApplicationAcceptedV1Delivery:
    """A `labelling.application.accepted.v1` event as a webhook delivery carries it.

    Attributes:
        data (ApplicationAcceptedV1): An accepted application; the audit service opens the programme and requests the
            first audit.
        id (str): Unique event id, the dedup key
        source (str): Producing service, e.g. /cap/gateway
        time (datetime.datetime):
        type_ (Literal['labelling.application.accepted.v1']):
        actor (None | str | Unset): Who caused it, e.g. user:<id>
        correlationid (None | str | Unset):
        datacontenttype (Literal['application/json'] | Unset):  Default: 'application/json'.
        specversion (Literal['1.0'] | Unset):  Default: '1.0'.
        subject (None | str | Unset): Id of the entity the event is about
        subjectversion (int | None | Unset): Position of the event among its stream's events about the subject (1, 2…)
        traceparent (None | str | Unset): W3C trace context of the span that recorded the event (tracing on only)
        tracestate (None | str | Unset): W3C tracestate going with traceparent (vendor trace data)
    """

    data: ApplicationAcceptedV1
    id: str
    source: str
    time: datetime.datetime
    type_: Literal["labelling.application.accepted.v1"]
    actor: None | str | Unset = UNSET
    correlationid: None | str | Unset = UNSET
    datacontenttype: Literal["application/json"] | Unset = "application/json"
    specversion: Literal["1.0"] | Unset = "1.0"
    subject: None | str | Unset = UNSET
    subjectversion: int | None | Unset = UNSET
    traceparent: None | str | Unset = UNSET
    tracestate: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        data = self.data.to_dict()

        id = self.id

        source = self.source

        time = self.time.isoformat()

        type_ = self.type_

        actor: None | str | Unset
        if isinstance(self.actor, Unset):
            actor = UNSET
        else:
            actor = self.actor

        correlationid: None | str | Unset
        if isinstance(self.correlationid, Unset):
            correlationid = UNSET
        else:
            correlationid = self.correlationid

        datacontenttype = self.datacontenttype

        specversion = self.specversion

        subject: None | str | Unset
        if isinstance(self.subject, Unset):
            subject = UNSET
        else:
            subject = self.subject

        subjectversion: int | None | Unset
        if isinstance(self.subjectversion, Unset):
            subjectversion = UNSET
        else:
            subjectversion = self.subjectversion

        traceparent: None | str | Unset
        if isinstance(self.traceparent, Unset):
            traceparent = UNSET
        else:
            traceparent = self.traceparent

        tracestate: None | str | Unset
        if isinstance(self.tracestate, Unset):
            tracestate = UNSET
        else:
            tracestate = self.tracestate

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "data": data,
                "id": id,
                "source": source,
                "time": time,
                "type": type_,
            }
        )
        if actor is not UNSET:
            field_dict["actor"] = actor
        if correlationid is not UNSET:
            field_dict["correlationid"] = correlationid
        if datacontenttype is not UNSET:
            field_dict["datacontenttype"] = datacontenttype
        if specversion is not UNSET:
            field_dict["specversion"] = specversion
        if subject is not UNSET:
            field_dict["subject"] = subject
        if subjectversion is not UNSET:
            field_dict["subjectversion"] = subjectversion
        if traceparent is not UNSET:
            field_dict["traceparent"] = traceparent
        if tracestate is not UNSET:
            field_dict["tracestate"] = tracestate

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.application_accepted_v1 import ApplicationAcceptedV1  # noqa: PLC0415

        d = dict(src_dict)
        data = ApplicationAcceptedV1.from_dict(d.pop("data"))

        id = d.pop("id")

        source = d.pop("source")

        time = datetime.datetime.fromisoformat(d.pop("time"))

        type_ = cast(Literal["labelling.application.accepted.v1"], d.pop("type"))
        if type_ != "labelling.application.accepted.v1":
            raise ValueError(f"type must match const 'labelling.application.accepted.v1', got '{type_}'")

        def _parse_actor(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        actor = _parse_actor(d.pop("actor", UNSET))

        def _parse_correlationid(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        correlationid = _parse_correlationid(d.pop("correlationid", UNSET))

        datacontenttype = cast(Literal["application/json"] | Unset, d.pop("datacontenttype", UNSET))
        if datacontenttype != "application/json" and not isinstance(datacontenttype, Unset):
            raise ValueError(f"datacontenttype must match const 'application/json', got '{datacontenttype}'")

        specversion = cast(Literal["1.0"] | Unset, d.pop("specversion", UNSET))
        if specversion != "1.0" and not isinstance(specversion, Unset):
            raise ValueError(f"specversion must match const '1.0', got '{specversion}'")

        def _parse_subject(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        subject = _parse_subject(d.pop("subject", UNSET))

        def _parse_subjectversion(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        subjectversion = _parse_subjectversion(d.pop("subjectversion", UNSET))

        def _parse_traceparent(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        traceparent = _parse_traceparent(d.pop("traceparent", UNSET))

        def _parse_tracestate(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        tracestate = _parse_tracestate(d.pop("tracestate", UNSET))

        application_accepted_v1_delivery = cls(
            data=data,
            id=id,
            source=source,
            time=time,
            type_=type_,
            actor=actor,
            correlationid=correlationid,
            datacontenttype=datacontenttype,
            specversion=specversion,
            subject=subject,
            subjectversion=subjectversion,
            traceparent=traceparent,
            tracestate=tracestate,
        )

        application_accepted_v1_delivery.additional_properties = d
        return application_accepted_v1_delivery

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
