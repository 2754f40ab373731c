"""Event contracts: the envelope's rules, the registry, tolerant reading, the AsyncAPI catalogue."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from pydantic import ValidationError

from cap_shared.clock import wall_now
from cap_shared.contracts import Envelope, EventModel, event_model, new_event
from cap_shared.contracts.asyncapi import build_asyncapi, render
from cap_shared.contracts.identity import OrganisationRegisteredV1
from cap_shared.contracts.registry import EVENT_REGISTRY, model_for

ROOT = Path(__file__).resolve().parents[3]


def registered() -> OrganisationRegisteredV1:
    return OrganisationRegisteredV1(
        organisation_id="4c1f",
        siret="73282932000074",
        name="Atelier",
        siae_types=["ACI"],
        region="76",
        region_name="Occitanie",
        delegation=None,
        registered_at=wall_now(),
    )


class TestEnvelope:
    def test_new_event_carries_cloudevents_attributes_and_round_trips(self) -> None:
        env = new_event(
            registered(),
            source="/cap/gateway",
            subject="4c1f",
            actor="operator",
            correlation_id="req-1",
        )
        raw = json.loads(env.to_json())
        assert raw["specversion"] == "1.0"
        assert raw["type"] == "identity.organisation.registered.v1"
        assert raw["datacontenttype"] == "application/json"
        assert raw["correlationid"] == "req-1"
        assert raw["actor"] == "operator"
        assert Envelope.from_json(env.to_json()) == env

    @pytest.mark.parametrize(
        "bad_type",
        [
            "organisation_registered",
            "identity.organisation.registered",
            "Identity.Org.v1",
            "a.b.v0",
        ],
    )
    def test_type_must_be_versioned_dotted_past_tense_name(self, bad_type: str) -> None:
        with pytest.raises(ValidationError):
            Envelope(id="1", source="/x", type=bad_type, time=wall_now(), data={})

    def test_naive_time_is_refused(self) -> None:
        with pytest.raises(ValidationError):
            Envelope(id="1", source="/x", type="a.b.v1", time=datetime(2026, 1, 1), data={})

    def test_unknown_envelope_attributes_are_ignored(self) -> None:
        env = new_event(registered(), source="/cap/gateway")
        raw = json.loads(env.to_json()) | {"traceparent": "00-abc", "newattr": 1}
        assert Envelope.from_json(json.dumps(raw)).id == env.id


class TestRegistry:
    def test_consumers_ignore_fields_they_do_not_know(self) -> None:
        data = registered().model_dump(mode="json") | {"added_in_a_later_minor": "x"}
        assert model_for("identity.organisation.registered.v1").model_validate(
            data
        ) == registered().model_copy(
            update={"registered_at": datetime.fromisoformat(data["registered_at"])}
        )

    def test_a_type_cannot_be_registered_twice(self) -> None:
        with pytest.raises(ValueError, match="registered twice"):

            @event_model("identity.organisation.registered.v1", producer="x", summary="duplicate")
            class Other(EventModel):
                pass

    def test_unversioned_types_cannot_be_registered(self) -> None:
        with pytest.raises(ValueError, match="invalid event type"):
            event_model("identity.organisation.registered", producer="x", summary="y")


class TestAsyncApi:
    def test_every_registered_event_has_a_channel_a_message_and_a_schema(self) -> None:
        doc = build_asyncapi()
        assert doc["asyncapi"] == "3.0.0"
        for event_type in EVENT_REGISTRY:
            name = event_type.replace(".", "_")
            assert doc["channels"][name]["address"] == event_type
            assert doc["components"]["messages"][name]["name"] == event_type
            assert "properties" in doc["components"]["schemas"][name]
        assert (
            doc["channels"]["identity_organisation_registered_v1"]["bindings"]["amqp"]["exchange"][
                "type"
            ]
            == "topic"
        )

    def test_consumers_get_receive_operations(self) -> None:
        """Each consumer of an event has its own ``receive`` operation on the event's channel
        (the published copy, docs/api/asyncapi.json, is checked by tests/contract)."""
        doc = build_asyncapi(
            consumers={"audit": ["diagnostic.completed.v1"], "labelling": []},
        )
        receive = doc["operations"]["receive_diagnostic_completed_v1_by_audit"]
        assert receive["action"] == "receive"
        assert receive["channel"] == {"$ref": "#/channels/diagnostic_completed_v1"}
        assert [op for op in doc["operations"].values() if op["action"] == "receive"] == [receive]
        assert doc["components"]["messages"]["diagnostic_completed_v1"]["x-consumers"] == ["audit"]
        assert render() == render({})

    def test_an_unregistered_consumed_event_is_refused(self) -> None:
        with pytest.raises(ValueError, match="no contract registers"):
            build_asyncapi(consumers={"audit": ["nothing.happened.v1"]})
