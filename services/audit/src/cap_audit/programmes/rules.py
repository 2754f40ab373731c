"""Rules of audit programmes: the schedule of audits, cycles, and site sampling. Pure.

Programme (``docs/domain/domain.md`` §5.1, §7.6 C-D), every duration a scheme parameter:

* CAP ISO 9001: stage 1 within ``initial_within_days`` of acceptance, then stage 2 within
  ``stage2_within_days`` of the closed stage 1; after the certification decision, the first
  surveillance within 12 months, then one per calendar year (none in the renewal year), and the
  renewal audit before expiry (decision + 3 years), ``renewal_lead_days`` ahead;
* CAP RSE: an initial evaluation within ``initial_within_days``, a follow-up 18 months after the
  decision and a renewal at 36 months.

Audits belong to a certification cycle whose start and real expiry come from the recognition;
group sites are sampled per IAF MD 1.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

from cap_audit.audits.rules import AuditStatus, AuditType, RuleViolation, Scheme, SchemeRules
from cap_shared.dates import add_months

RULE_SAMPLING = "IAF MD 1 §7.3, §8.2 site sampling (central function at every audit)"


@dataclass(frozen=True)
class Done:
    """An audit of the programme, as the schedule sees it."""

    type: AuditType
    status: AuditStatus
    audit_id: str
    closed_on: date | None = None
    cycle: int = 1


@dataclass(frozen=True)
class DueItem:
    """An audit the programme expects, by when, and how it stands."""

    type: AuditType
    due_by: date
    audit_id: str | None
    status: str  # "done", "in_progress", "due", "overdue"
    cycle_year: int | None = None
    cycle: int = 1


@dataclass(frozen=True)
class Cycle:
    """A programme's current certification cycle: its number (the initial audits belong to the
    first), the day its schedule counts from and the recognition's real expiry (both unknown
    until the first decision)."""

    number: int = 1
    start: date | None = None
    expiry: date | None = None
    decided_on: date | None = None


#: The audits a scheme's recognition is decided on, and the audit a failed one calls for again.
DECIDING: dict[Scheme, frozenset[AuditType]] = {
    Scheme.CAP_ISO9001: frozenset({AuditType.STAGE2, AuditType.RENEWAL}),
    Scheme.CAP_RSE: frozenset({AuditType.INITIAL, AuditType.RENEWAL}),
}
REPEATED_AS: dict[Scheme, AuditType] = {
    Scheme.CAP_ISO9001: AuditType.STAGE2,
    Scheme.CAP_RSE: AuditType.INITIAL,
}


def cycle_end(start: date, expiry: date | None, rules: SchemeRules) -> date:
    """The cycle's expiry: the recognition's real one when known, else start + validity."""
    return expiry or add_months(start, rules.validity_months)


def surveillance_dates(rules: SchemeRules, start: date, expiry: date | None = None) -> list[date]:
    """When a cycle's surveillance audits (or its follow-up) are due, counted from its start:
    the first within ``first_surveillance_months``, then one per calendar year, none in the
    expiry year (17021-1 §9.1.3.3-4); or one follow-up at ``follow_up_months``. The labelling
    service computes the same dates (``tests/test_scheme_parameters.py``)."""
    end = cycle_end(start, expiry, rules)
    if rules.surveillance == "follow_up":
        due = add_months(start, rules.follow_up_months)
        return [due] if due < end else []
    first = add_months(start, rules.first_surveillance_months)
    dates = [first, *(date(year, 12, 31) for year in range(first.year + 1, end.year))]
    return [d for d in dates if d < end]


def schedule(
    scheme: Scheme,
    rules: SchemeRules,
    *,
    accepted_on: date,
    cycle_start: date | None,
    audits: list[Done],
    today: date,
    expiry: date | None = None,
    cycle: int = 1,
    repeats: Sequence[date] = (),
) -> list[DueItem]:
    """The current cycle's audits with computed due dates, matched with that cycle's audits.

    The first cycle starts with the initial audits (ISO stage 1 within ``initial_within_days``
    of acceptance, stage 2 within ``stage2_within_days`` of the closed stage 1; the CAP RSE
    initial evaluation). Once decided (``cycle_start``), the cycle's surveillance audits are
    counted from its start and the renewal is due ``renewal_lead_days`` before the
    recognition's real ``expiry``. ``repeats``: due dates of the new stage 2 (CAP RSE: initial
    evaluation) that majors not verified in time call for. An audit counts only for the cycle
    it belongs to.
    """
    wanted: list[tuple[AuditType, date, int | None]] = []
    mine = [a for a in audits if a.cycle == cycle]
    if cycle == 1:
        if scheme is Scheme.CAP_ISO9001:
            stage1_due = accepted_on + timedelta(days=rules.initial_within_days)
            wanted.append((AuditType.STAGE1, stage1_due, None))
            stage1_closed = next(
                (a.closed_on for a in mine if a.type is AuditType.STAGE1 and a.closed_on), None
            )
            stage2_due = (stage1_closed or stage1_due) + timedelta(days=rules.stage2_within_days)
            wanted.append((AuditType.STAGE2, stage2_due, None))
        else:
            initial_due = accepted_on + timedelta(days=rules.initial_within_days)
            wanted.append((AuditType.INITIAL, initial_due, None))
    wanted += [(REPEATED_AS[scheme], due, None) for due in repeats]
    if cycle_start is not None:
        kind = AuditType.FOLLOW_UP if rules.surveillance == "follow_up" else AuditType.SURVEILLANCE
        for due in surveillance_dates(rules, cycle_start, expiry):
            wanted.append((kind, due, due.year if kind is AuditType.SURVEILLANCE else None))
        end = cycle_end(cycle_start, expiry, rules)
        wanted.append((AuditType.RENEWAL, end - timedelta(days=rules.renewal_lead_days), None))

    used: set[str] = set()
    items = []
    for audit_type, due_by, cycle_year in wanted:
        match = next(
            (
                a
                for a in mine
                if a.type is audit_type
                and a.audit_id not in used
                and a.status is not AuditStatus.CANCELLED
            ),
            None,
        )
        if match is not None:
            used.add(match.audit_id)
            status = "done" if match.status is AuditStatus.CLOSED else "in_progress"
        else:
            status = "overdue" if due_by < today else "due"
        items.append(
            DueItem(
                audit_type, due_by, match.audit_id if match else None, status, cycle_year, cycle
            )
        )
    return items


def cycle_after(
    current: Cycle,
    *,
    status: str,
    previous_status: str | None,
    cycle_start: date | None,
    decided_on: date,
    expiry: date,
) -> Cycle:
    """The programme's cycle after a change of its recognition.

    A grant (first or renewal) or the restoration of an expired recognition starts a cycle at
    ``cycle_start`` (published by the labelling service: the decision for a first grant, the
    previous expiry for a renewal or a restoration; when absent, the same computed here). The
    first grant keeps number 1 (the initial audits belong to it); any later start is the next
    cycle. Other changes (suspension, restoration from suspension, scope) keep the cycle and
    follow the recognition's expiry. The same start again changes nothing (a redelivery)."""
    starts = status == "active" and previous_status in (None, "expired", "renewed")
    if not starts:
        return replace(current, expiry=expiry) if current.start is not None else current
    first = current.start is None
    start = cycle_start or (decided_on if first else (current.expiry or decided_on))
    if start == current.start:
        return replace(current, expiry=expiry, decided_on=decided_on)
    return Cycle(
        number=current.number if first else current.number + 1,
        start=start,
        expiry=expiry,
        decided_on=decided_on,
    )


def may_open(
    scheme: Scheme,
    audit_type: AuditType,
    *,
    closed_types: set[AuditType],
    recognition_in_force: bool,
) -> None:
    """Stage 2 only after a closed stage 1; surveillance and follow-up only on a recognition in
    force — active, or suspended (the missed surveillance is how a suspension for it is
    lifted, ISO/IEC 17021-1 §9.6.5); the initial audits only once the scheme is right."""
    iso = {
        AuditType.STAGE1,
        AuditType.STAGE2,
        AuditType.SURVEILLANCE,
        AuditType.RENEWAL,
        AuditType.SPECIAL,
    }
    rse = {AuditType.INITIAL, AuditType.FOLLOW_UP, AuditType.RENEWAL, AuditType.SPECIAL}
    if audit_type not in (iso if scheme is Scheme.CAP_ISO9001 else rse):
        raise RuleViolation(
            f"a {audit_type.value} audit does not exist in {scheme.value}",
            detail_fr=f"un audit {audit_type.value} n'existe pas en {scheme.value}",
        )
    if audit_type is AuditType.STAGE2 and AuditType.STAGE1 not in closed_types:
        raise RuleViolation(
            "stage 2 comes after a closed stage 1",
            detail_fr="l'étape 2 vient après une étape 1 clôturée",
        )
    if audit_type in (AuditType.SURVEILLANCE, AuditType.FOLLOW_UP) and not recognition_in_force:
        raise RuleViolation(
            f"a {audit_type.value} audit needs a recognition in force (active or suspended)",
            detail_fr=(
                f"un audit {audit_type.value} demande une reconnaissance en vigueur "
                "(active ou suspendue)"
            ),
        )


# sites and sampling (IAF MD 1) -------------------------------------------------------------------
@dataclass(frozen=True)
class Sample:
    """The sites an audit of a group must cover: the central function always, ``size`` member
    sites of which ``random_site_ids`` drawn at random (or every one when sampling is not
    allowed)."""

    sites: int  # member sites of the group (n)
    size: int  # member sites to audit (y)
    sampled: bool
    factor: float | None
    central_function: str
    random_site_ids: tuple[str, ...]
    required_site_ids: tuple[str, ...]  # the central function, then required members


def _ceil(value: float) -> int:
    """Ceiling that forgives floating-point dust (0.6 · 5 is 3, not 4)."""
    return math.ceil(value - 1e-9)


def _shuffled(members: Iterable[str], seed: str) -> list[str]:
    """Members in a reproducible random order (the same seed, the same draw)."""
    return sorted(members, key=lambda m: hashlib.sha256(f"{seed}:{m}".encode()).hexdigest())


def sample(
    rules: SchemeRules,
    audit_type: AuditType,
    *,
    central_function: str,
    members: Sequence[str],
    seed: str,
) -> Sample:
    """The sample of a group's audit (IAF MD 1 §8.2: y = ⌈factor·√n⌉ of the n member sites,
    factor 1 at the initial audit, 0.6 at surveillance, 0.8 at renewal; at least
    ``random_share`` of it drawn at random, reproducibly from ``seed``). When sampling is not
    allowed, every site at the initial audit and renewal, ⌈share·n⌉ at a surveillance (IAF
    MD 1 §6.2 / MD 19). A special audit requires the central function only."""
    sites = sorted({m for m in members if m != central_function})
    n = len(sites)
    policy = rules.sampling
    phase = {
        AuditType.STAGE1: "initial",
        AuditType.STAGE2: "initial",
        AuditType.INITIAL: "initial",
        AuditType.SURVEILLANCE: "surveillance",
        AuditType.FOLLOW_UP: "surveillance",
        AuditType.RENEWAL: "renewal",
    }.get(audit_type)
    if n == 0 or phase is None:
        return Sample(n, 0, False, None, central_function, (), (central_function,))
    if not policy.allowed:
        if phase == "surveillance":
            size = _ceil(policy.without_sampling_surveillance_share * n)
            return Sample(n, size, False, None, central_function, (), (central_function,))
        return Sample(n, n, False, None, central_function, (), (central_function, *sites))
    factor = {
        "initial": policy.initial_factor,
        "surveillance": policy.surveillance_factor,
        "renewal": policy.renewal_factor,
    }[phase]
    size = min(n, max(1, _ceil(factor * math.sqrt(n))))
    drawn = tuple(sorted(_shuffled(sites, seed)[: _ceil(policy.random_share * size)]))
    return Sample(n, size, True, factor, central_function, drawn, (central_function, *drawn))


def plan_site_gaps(
    plan_sites: Sequence[str] | None, sample_: Sample, members: Sequence[str]
) -> list[dict[str, str]]:
    """What an audit plan's ``site_ids`` lacks for its sample (``errors[]`` items, empty when
    it covers it): a site of the programme each, the central function, the random sites, at
    least ``size`` member sites. A single-site programme may leave ``site_ids`` out."""
    known = {sample_.central_function, *members}
    if plan_sites is None:
        if sample_.sites == 0:
            return []
        return [
            {
                "field": "body.site_ids",
                "message": "a group's audit plan names its sites",
                "message_fr": "le plan d'audit d'un groupement indique ses sites",
            }
        ]
    errors = [
        {
            "field": f"body.site_ids.{i}",
            "message": f"{site} is not a site of the programme",
            "message_fr": f"{site} n'est pas un site du programme",
        }
        for i, site in enumerate(plan_sites)
        if site not in known
    ]
    chosen = set(plan_sites)
    missing = [s for s in sample_.required_site_ids if s not in chosen]
    if missing:
        errors.append(
            {
                "field": "body.site_ids",
                "message": "the plan leaves out required sites (central function, random "
                f"draw): {', '.join(missing)}",
                "message_fr": "le plan omet des sites obligatoires (fonction centrale, tirage "
                f"aléatoire) : {', '.join(missing)}",
            }
        )
    covered = len(chosen & (set(members) - {sample_.central_function}))
    if covered < sample_.size:
        errors.append(
            {
                "field": "body.site_ids",
                "message": f"the sample is {sample_.size} member sites, the plan has {covered}",
                "message_fr": f"l'échantillon compte {sample_.size} sites membres, le plan "
                f"{covered}",
            }
        )
    return errors


def sites(organisation_id: str, group_member_ids: Sequence[str]) -> tuple[str, list[str]]:
    """A programme's central function (its organisation) and member sites."""
    members = [m for m in group_member_ids if m != organisation_id]
    return organisation_id, members
