"""The end of a run: waiting until what was loaded reached the services that show it."""

from __future__ import annotations

from typing import Any

from cap_standalone.demo import network
from cap_standalone.demo.client import DemoError, poll
from cap_standalone.demo.run import DemoRun


async def settled(demo: DemoRun) -> dict[str, Any] | None:
    """Wait until the recognitions and the people reached the services that show them."""
    facilitator = demo.actors["facilitator"]
    recognitions = [
        r
        for r in await demo.api.pages(demo.admin, "/v1/recognitions")
        if r["organisation_id"] in demo.org_ids.values() and r["status"] == "active"
    ]
    expected = {
        scheme: sum(1 for r in recognitions if r["scheme"] == scheme)
        for scheme in ("CAP_RSE", "CAP_ISO9001")
    }

    async def counted() -> dict[str, Any] | None:
        # Labelled and certified counts come from recognition.status_changed.v1 events.
        view = await demo.api.json(
            facilitator,
            "GET",
            "/v1/statistics/network",
            params={"referential": "CAP", "region": network.REGION},
        )
        totals = view.get("totals") or {}
        if totals.get("suppressed"):
            return {}
        if (
            totals.get("labelled", 0) >= expected["CAP_RSE"]
            and totals.get("certified", 0) >= expected["CAP_ISO9001"]
        ):
            return dict(totals)
        return None

    totals = await poll("the network view to count the recognitions", counted, timeout=demo.timeout)

    async def notified() -> bool | None:
        # The people reach the notifications service by event, then their notifications.
        feed = await demo.api.json(
            demo.actors["member_admin"], "GET", "/v1/notifications", params={"limit": 1}
        )
        return True if feed["data"] else None

    try:
        await poll("the first notifications in the feeds", notified, timeout=demo.timeout)
    except DemoError as exc:  # e.g. the structure was diagnosed before its people joined
        demo.warnings.append(str(exc))
    return totals or None
