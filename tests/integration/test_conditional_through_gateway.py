"""Conditional requests through the gateway, in both topologies: a private GET answers an ETag
and 304 while it holds (the gateway's own routes and the services' alike), a write with a stale
If-Match is 412 and changes nothing, and the public registry keeps its shared-cache answers."""

from __future__ import annotations

from cap_shared.testing.auth import create_user, known_to_notifications, register_organisation
from cap_standalone.testing import Topology

from .test_diagnostic_through_gateway import open_when_known


async def test_etags_304_and_412_through_the_gateway(topology: Topology) -> None:
    client = topology.client
    organisation_id = await register_organisation(client, topology.admin, n=907, region="76")
    member = await create_user(
        client, topology.admin, role="member_admin", organisation_id=organisation_id
    )

    # A service's own revision ETag (the diagnostic), through the proxy.
    diagnostic = await open_when_known(topology, member, organisation_id)
    url = f"/v1/diagnostics/{diagnostic['id']}"
    read = await client.get(url, headers=member)
    tag = read.headers["etag"]
    unchanged = await client.get(url, headers={**member, "If-None-Match": tag})
    assert unchanged.status_code == 304
    assert unchanged.content == b""
    assert unchanged.headers["etag"] == tag
    written = await client.patch(
        url, json={"title": "Auto-évaluation 2027"}, headers={**member, "If-Match": tag}
    )
    assert written.status_code == 200, written.text
    stale = await client.patch(
        url, json={"title": "Autre titre"}, headers={**member, "If-Match": tag}
    )
    assert stale.status_code == 412
    assert stale.headers["content-type"].startswith("application/problem+json")
    assert stale.json()["current_etag"] == written.headers["etag"]
    assert (await client.get(url, headers=member)).json()["title"] == "Auto-évaluation 2027"

    # An ETag computed from the representation (preferences), 304, then 412 once changed.
    await known_to_notifications(client, member)  # the role's arrival changes the defaults
    me = await client.get("/v1/preferences", headers=member)
    assert me.headers["cache-control"] == "private, no-cache"
    first = me.headers["etag"]
    assert (
        await client.get("/v1/preferences", headers={**member, "If-None-Match": first})
    ).status_code == 304
    changed = await client.put(
        "/v1/preferences", json={"digest_hour": 6}, headers={**member, "If-Match": first}
    )
    assert changed.status_code == 200, changed.text
    assert (
        await client.put(
            "/v1/preferences", json={"digest_hour": 8}, headers={**member, "If-Match": first}
        )
    ).status_code == 412
    assert (
        await client.get("/v1/preferences", headers={**member, "If-None-Match": first})
    ).status_code == 200

    # The gateway's own routes.
    me_url = f"/v1/users/{(await client.get('/v1/me', headers=member)).json()['id']}"
    user = await client.get(me_url, headers=topology.admin)
    assert (
        await client.get(me_url, headers={**topology.admin, "If-None-Match": user.headers["etag"]})
    ).status_code == 304

    # The public registry keeps its shared-cache policy.
    public = await client.get("/v1/registry/recognitions")
    assert public.status_code == 200
    assert public.headers["cache-control"].startswith("public, max-age=")
    assert (
        await client.get(
            "/v1/registry/recognitions", headers={"If-None-Match": public.headers["etag"]}
        )
    ).status_code == 304
