"""The network view: how many structures are diagnosed, how mature they are per theme, how it
moves over time; and a member's position among its peers.

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

from cap_diagnostic.repository import OrganisationRepository, StatisticsRepository
from cap_shared.problems import Forbidden, NotFound
from cap_shared.security import Principal, Role

#: The k of k-anonymity: the smallest group whose figures are shown.
MIN_GROUP = 5
SUPPRESSED: dict[str, Any] = {"suppressed": True}


def _quarter(year: int, month: int) -> str:
    return f"{year}-T{(month - 1) // 3 + 1}"


def _scope(principal: Principal, region: str | None) -> list[str] | None:
    """Regions the caller may see figures of (None: the whole network)."""
    if principal.has_role(Role.ADMIN, Role.COMMITTEE):
        return [region] if region else None
    regions = sorted(principal.regions())
    if region is not None:
        if region not in regions:
            raise Forbidden("a facilitator sees the figures of their own region(s)")
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
    organisations = await repo.organisations(regions=regions, siae_type=siae_type)
    latest = await repo.latest(referential=referential, regions=regions, siae_type=siae_type)
    diagnosed = {row.organisation_id for row in latest}

    # per region and SIAE type
    cells: dict[tuple[str, str], dict[str, int]] = defaultdict(
        lambda: {"structures": 0, "diagnosed": 0}
    )
    for org_id, org_region, types in organisations:
        for t in types:
            if siae_type and t != siae_type:
                continue
            cell = cells[(org_region, t)]
            cell["structures"] += 1
            cell["diagnosed"] += org_id in diagnosed
    by_group = [
        {
            "region": r,
            "siae_type": t,
            **(counts if counts["structures"] >= MIN_GROUP else SUPPRESSED),
        }
        for (r, t), counts in sorted(cells.items())
    ]

    in_scope = len(organisations)
    result: dict[str, Any] = {
        "referential": referential,
        "scope": {"regions": regions, "siae_type": siae_type},
        "min_group": MIN_GROUP,
        "by_region_and_type": by_group,
    }
    if len(diagnosed) < MIN_GROUP:
        result.update(
            totals=SUPPRESSED if in_scope < MIN_GROUP else {"structures": in_scope, **SUPPRESSED},
            maturity=SUPPRESSED,
            trend=[],
        )
        return result

    scores = [row.overall_score for row in latest if row.overall_score is not None]
    result["totals"] = {
        "structures": in_scope,
        "diagnosed": len(diagnosed),
        "diagnosed_share": round(len(diagnosed) / in_scope, 3) if in_scope else None,
        "overall_median": stats.median(scores) if scores else None,
    }
    bands = await repo.band_counts(referential=referential, regions=regions, siae_type=siae_type)
    maturity: dict[str, dict[str, Any]] = {}
    for group, code, band, count in bands:
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
    trend: dict[str, dict[str, Any]] = {}
    for year, month, organisations_count, diagnostics_count, average in await repo.monthly(
        referential=referential, regions=regions, siae_type=siae_type
    ):
        q = trend.setdefault(
            _quarter(int(year), int(month)), {"structures": 0, "diagnostics": 0, "score_sum": 0.0}
        )
        q["structures"] += organisations_count  # an upper bound: a structure may appear in 2 months
        q["diagnostics"] += diagnostics_count
        q["score_sum"] += float(average or 0) * diagnostics_count
    result["trend"] = [
        {
            "quarter": quarter,
            "diagnostics": q["diagnostics"],
            "average_score": round(q["score_sum"] / q["diagnostics"]),
        }
        if q["diagnostics"] >= MIN_GROUP and q["structures"] >= MIN_GROUP
        else {"quarter": quarter, **SUPPRESSED}
        for quarter, q in sorted(trend.items())
    ]
    return result


async def position(
    session: AsyncSession, principal: Principal, *, organisation_id: str, referential: str
) -> dict[str, Any]:
    """Where a structure stands among peers of the same SIAE type and region."""
    organisation = await OrganisationRepository(session).get(organisation_id=organisation_id)
    if organisation is None or not principal.may_see_organisation(
        organisation.id, organisation.region
    ):
        raise NotFound("no such organisation")
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
            for org_id, _region, _types in await repo.organisations(
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
