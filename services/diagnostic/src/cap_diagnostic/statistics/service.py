"""The network view: how many structures are diagnosed, labelled (CAP RSE) or certified (CAP ISO
9001), how mature they are per theme, how it moves over time; and a member's position among
its peers.

Figures are computed on each structure's latest completed diagnostic on a referential (CAP by
default). **No figure is shown for a group of fewer than** :data:`MIN_GROUP` **structures**: such a
group comes back as ``{"suppressed": true}`` with nothing else, so a small region or a rare SIAE
type never exposes one structure's results.
"""

from __future__ import annotations

import statistics as stats
from collections import defaultdict
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from cap_diagnostic.models import Organisation
from cap_diagnostic.statistics.repository import StatisticsRepository
from cap_shared.problems import Forbidden, NotFound
from cap_shared.readmodel import ReadModelRepository
from cap_shared.security import Principal, Role

#: The k of k-anonymity: the smallest group whose figures are shown.
MIN_GROUP = 5
SUPPRESSED: dict[str, Any] = {"suppressed": True}


def _scope(principal: Principal, region: str | None) -> list[str] | None:
    """Regions the caller may see figures of (None: the whole network)."""
    if principal.has_role(Role.ADMIN, Role.COMMITTEE):
        return [region] if region else None
    regions = sorted(principal.regions())
    if region is not None:
        if region not in regions:
            raise Forbidden(
                "a facilitator sees the figures of their own region(s)",
                detail_fr="un animateur voit les chiffres de sa ou ses propres régions",
            )
        return [region]
    return regions


async def network(
    session: AsyncSession,
    principal: Principal,
    *,
    referential: str,
    region: str | None,
    siae_type: str | None,
) -> dict[str, Any]:
    """Diagnosed structures per region and SIAE type, maturity per theme, trend per quarter."""
    regions = _scope(principal, region)
    repo = StatisticsRepository(session)
    cells = await repo.cells(referential=referential, regions=regions, siae_type=siae_type)
    by_group = [
        {
            "region": r,
            "siae_type": t,
            "structures": n,
            "diagnosed": d,
            "labelled": int(labelled or 0),
            "certified": int(certified or 0),
        }
        if n >= MIN_GROUP
        else {"region": r, "siae_type": t, **SUPPRESSED}
        for r, t, n, d, labelled, certified in cells
    ]
    in_scope = await repo.count_organisations(regions=regions, siae_type=siae_type)
    diagnosed, median = await repo.overall_summary(
        referential=referential, regions=regions, siae_type=siae_type
    )
    result: dict[str, Any] = {
        "referential": referential,
        "scope": {"regions": regions, "siae_type": siae_type},
        "min_group": MIN_GROUP,
        "by_region_and_type": by_group,
    }
    if diagnosed < MIN_GROUP:
        result.update(totals=SUPPRESSED, maturity=SUPPRESSED, trend=[])
        return result

    holders = await repo.holders(regions=regions, siae_type=siae_type)
    result["totals"] = {
        "structures": in_scope,
        "diagnosed": diagnosed,
        "diagnosed_share": round(diagnosed / in_scope, 3) if in_scope else None,
        "labelled": holders.get("CAP_RSE", 0),
        "certified": holders.get("CAP_ISO9001", 0),
        "overall_median": median,
    }
    maturity: dict[str, dict[str, Any]] = {}
    for group, code, band, count in await repo.band_counts(
        referential=referential, regions=regions, siae_type=siae_type
    ):
        entry = maturity.setdefault(
            f"{group}:{code}", {"group": group, "code": code, "bands": {}, "structures": 0}
        )
        entry["bands"][band or "non évalué"] = count
        entry["structures"] += count
    result["maturity"] = [
        entry
        if entry["structures"] >= MIN_GROUP
        else {"group": entry["group"], "code": entry["code"], **SUPPRESSED}
        for entry in maturity.values()
    ]
    result["trend"] = [
        {
            "quarter": quarter,
            "structures": structures,
            "diagnostics": diagnostics,
            "average_score": round(float(average)) if average is not None else None,
        }
        if structures >= MIN_GROUP
        else {"quarter": quarter, **SUPPRESSED}
        for quarter, structures, diagnostics, average in await repo.quarterly(
            referential=referential, regions=regions, siae_type=siae_type
        )
    ]
    return result


async def position(
    session: AsyncSession, principal: Principal, *, organisation_id: str, referential: str
) -> dict[str, Any]:
    """Where a structure stands among peers of the same SIAE type and region."""
    organisation = await ReadModelRepository(session, Organisation).get(organisation_id)
    if organisation is None or not principal.may_see_organisation(
        organisation.id, organisation.region
    ):
        raise NotFound("no such organisation", detail_fr="structure introuvable")
    repo = StatisticsRepository(session)
    own = await repo.latest_scores(referential=referential, organisation_ids=[organisation.id])
    if not own:
        return {"organisation_id": organisation.id, "referential": referential, "diagnosed": False}
    result: dict[str, Any] = {
        "organisation_id": organisation.id,
        "referential": referential,
        "diagnosed": True,
        "min_group": MIN_GROUP,
        "peer_groups": [],
    }
    for siae_type in organisation.siae_types:
        peers = [
            org_id
            for org_id in await repo.organisation_ids(
                regions=[organisation.region], siae_type=siae_type
            )
            if org_id != organisation.id
        ]
        peer_scores = await repo.latest_scores(referential=referential, organisation_ids=peers)
        peer_orgs = {org for org, _g, _c, _s in peer_scores}
        group: dict[str, Any] = {"region": organisation.region, "siae_type": siae_type}
        if len(peer_orgs) < MIN_GROUP:
            result["peer_groups"].append({**group, **SUPPRESSED})
            continue
        by_group: dict[tuple[str, str], list[int]] = defaultdict(list)
        for _org, g, code, score in peer_scores:
            if score is not None:
                by_group[(g, code)].append(score)
        comparisons = []
        for _org, g, code, score in own:
            values = sorted(by_group.get((g, code), []))
            if score is None or len(values) < MIN_GROUP:
                continue
            below = sum(1 for v in values if v < score)
            equal = sum(1 for v in values if v == score)
            quartiles = stats.quantiles(values, n=4, method="inclusive")
            comparisons.append(
                {
                    "group": g,
                    "code": code,
                    "score": score,
                    "peers_median": round(quartiles[1]),
                    "peers_p25": round(quartiles[0]),
                    "peers_p75": round(quartiles[2]),
                    "percentile": round(100 * (below + equal / 2) / len(values)),
                }
            )
        result["peer_groups"].append({**group, "peers": len(peer_orgs), "comparisons": comparisons})
    return result
