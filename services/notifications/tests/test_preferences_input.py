"""``PUT /v1/preferences`` against hostile and concurrent input (issue 15 item 9): a null on a
field that cannot be emptied is a 422 the API description announces, and two first updates of
one person at once both succeed (was a 500 from the primary key)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
import sqlalchemy as sa

from cap_notifications import main as notifications_main
from cap_notifications.models import Preference, PreferenceSettings, metadata
from cap_shared.messaging.memory import MemoryBroker
from cap_shared.testing.openapi import unbounded_integers

from .conftest import Service, ok, start_service
from .test_notify import people


@pytest.fixture
async def live(make_database: Callable[..., Any]) -> AsyncIterator[Service]:
    """The API on a pool of real PostgreSQL connections (requests run concurrently)."""
    db = await make_database(
        "postgresql", "notifications-live", notifications_main.MIGRATIONS, metadata
    )
    broker = MemoryBroker()
    await broker.start()
    service = await start_service(db, broker)
    await people(service)
    try:
        yield service
    finally:
        await service.client.aclose()
        await broker.close()


async def test_null_where_the_schema_says_not_nullable_is_a_422(service: Service) -> None:
    await people(service)
    me = service.as_person("member_a")
    for body, field in [
        ({"timezone": None}, "body.timezone"),
        ({"digest_hour": None}, "body.digest_hour"),
        ({"events": {"audit.planned.v1": {"email": None}}}, "body.events.audit.planned.v1.email"),
        ({"events": {"audit.planned.v1": None}}, "body.events.audit.planned.v1"),
        ({"events": None}, "body.events"),
    ]:
        response = await service.client.put("/v1/preferences", json=body, headers=me)
        assert response.status_code == 422, (body, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        assert field in {e["field"] for e in response.json()["errors"]}, response.json()
    # Nothing was written; null still turns quiet hours off (the one nullable field).
    prefs = ok(await service.client.put("/v1/preferences", json={"quiet_hours": None}, headers=me))
    assert (prefs["timezone"], prefs["digest_hour"], prefs["quiet_hours"]) == (
        "Europe/Paris",
        8,
        None,
    )
    document = (await service.client.get("/openapi.json")).json()
    schemas = document["components"]["schemas"]
    update = schemas["PreferencesUpdate"]["properties"]
    assert update["timezone"] == {
        "type": "string",
        "maxLength": 64,
        "title": "Timezone",
        "examples": ["Europe/Paris"],
    }
    assert update["digest_hour"] == {
        "type": "integer",
        "minimum": 0,
        "maximum": 23,
        "title": "Digest Hour",
    }
    assert {"type": "null"} in update["quiet_hours"]["anyOf"]
    modes = schemas["ChannelModes"]["properties"]
    assert all("null" not in str(field) for field in modes.values()), modes
    # PUT answers only what it documents (400: a body that cannot be read; 412: a stale
    # If-Match; 503: the database).
    answers = set(document["paths"]["/v1/preferences"]["put"]["responses"])
    assert answers == {"200", "400", "401", "403", "404", "412", "422", "503"}


async def test_first_updates_of_one_person_at_once_all_succeed(live: Service) -> None:
    people_ids = [live.people[key] for key in ("admin_a", "member_a", "member_b")]
    bodies = [
        {"digest_hour": hour, "events": {"audit.planned.v1": {"email": "off"}}}
        for hour in (6, 7, 9, 10)
    ]
    answers = await asyncio.gather(
        *(
            live.client.put(
                "/v1/preferences",
                json=body,
                headers=live.headers({"role": "member"}, subject=f"user:{user_id}"),
            )
            for user_id in people_ids
            for body in bodies
        )
    )
    assert [a.status_code for a in answers] == [200] * len(answers), [a.text for a in answers]
    async with live.runtime.db.session() as session:
        settings = (await session.execute(sa.select(PreferenceSettings))).scalars().all()
        choices = (await session.execute(sa.select(Preference))).scalars().all()
    assert sorted(s.user_id for s in settings) == sorted(people_ids)
    assert all(s.digest_hour in (6, 7, 9, 10) for s in settings)
    assert sorted((c.user_id, c.event_type, c.channel, c.mode) for c in choices) == sorted(
        (u, "audit.planned.v1", "email", "off") for u in people_ids
    )


async def test_every_integer_the_notifications_api_takes_is_bounded(service: Service) -> None:
    """Issue 15 item 6: an integer past 64 bits reached the database (``before=2^63``); every
    integer in a parameter or a body is bounded in the schema, hence a 422 outside."""
    document = (await service.client.get("/openapi.json")).json()
    assert unbounded_integers(document) == []
