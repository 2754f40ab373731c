"""Scheme parameters: the durations and thresholds of CAP RSE and CAP ISO 9001, defined once.

The audit service (programmes, audits, nonconformities, impartiality) and the labelling service
(decisions, recognitions, their lifecycle) both reason with a scheme's validity, surveillance
intervals, deadlines and limits. They are **data** (``schemes/<SCHEME>.yaml``, each value with its
source: ISO/IEC 17021-1 clause, IAF mandatory document, or scheme rule), part of the published
language between services like the event contracts, so the two services cannot disagree: both
read the same files, from the package or from the one directory named by
``CAP_SCHEME_PARAMETERS_DIR`` (never a per-service variable). ``docs/schemes.md`` lists them.

Nothing here decides anything: the rules that use these values live in each service.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import AliasChoices, BaseModel, ConfigDict, Field, ValidationError, model_validator

SchemeCode = Literal["CAP_RSE", "CAP_ISO9001"]
SCHEMES: tuple[SchemeCode, ...] = ("CAP_RSE", "CAP_ISO9001")
PACKAGED = Path(__file__).parent / "schemes"


class Sampling(BaseModel):
    """Site sampling of a group (multi-site) programme, IAF MD 1:2018 §7.3 / §8.2."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    #: Whether sites may be sampled at all (IAF MD 1 §6.1); when not, every site is audited at
    #: the initial audit and at renewal, and ``without_sampling_surveillance_share`` of them at
    #: each surveillance (IAF MD 1 §6.2 / MD 19).
    allowed: bool = True
    #: Sample size factor of √n at the initial audit (IAF MD 1 §8.2.1: y = √x).
    initial_factor: float = Field(default=1.0, gt=0, le=1)
    #: At a surveillance (IAF MD 1 §8.2.2: y = 0.6 √x).
    surveillance_factor: float = Field(default=0.6, gt=0, le=1)
    #: At renewal (IAF MD 1 §8.2.3: y = 0.8 √x).
    renewal_factor: float = Field(default=0.8, gt=0, le=1)
    #: Share of the sample chosen at random (IAF MD 1 §7.3.2: at least 25 %).
    random_share: float = Field(default=0.25, ge=0.25, le=1)
    #: Share of the sites audited at each surveillance when sampling is not allowed.
    without_sampling_surveillance_share: float = Field(default=0.3, gt=0, le=1)


class SchemeParameters(BaseModel):
    """One scheme's parameters (every duration in days or calendar months)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    scheme: SchemeCode
    # -- the certification cycle ---------------------------------------------------------------
    #: A recognition's validity from the decision (17021-1 §9.1.3.2: a three-year cycle).
    validity_months: int = Field(ge=12, le=60)
    #: The first audit (ISO stage 1, CAP RSE initial evaluation) within this many days of the
    #: accepted application (scheme rule).
    initial_within_days: int = Field(ge=1, le=730)
    #: ISO stage 2 within this many days of the closed stage 1 (17021-1 §9.3.1.2.2; scheme).
    stage2_within_days: int = Field(ge=1, le=365)
    #: What the cycle's surveillance is: ``calendar_year`` — the first within
    #: ``first_surveillance_months`` of the decision, then one per calendar year, none in the
    #: renewal year (17021-1 §9.1.3.3-4); ``follow_up`` — one follow-up ``follow_up_months``
    #: after the decision (CAP RSE, LUCIE-like).
    surveillance: Literal["calendar_year", "follow_up"]
    first_surveillance_months: int = Field(default=12, ge=1, le=24)
    follow_up_months: int = Field(default=18, ge=1, le=36)
    #: The renewal audit is due this many days before expiry (17021-1 §9.6.3: decided before).
    renewal_lead_days: int = Field(ge=0, le=365)
    #: A surveillance still missing this long after its due date suspends (17021-1 §9.6.5.1 b).
    surveillance_grace_days: int = Field(default=0, ge=0, le=365)
    #: Longest suspension before withdrawal (17021-1 §9.6.5.2; IAF: normally ≤ 6 months).
    suspension_max_months: int = Field(ge=1, le=24)
    #: An expired recognition may be restored within this many months of its expiry, once the
    #: outstanding renewal activities are done (17021-1 §9.6.3.2.3: 6 months).
    restoration_months: int = Field(ge=0, le=24)
    # -- nonconformities ------------------------------------------------------------------------
    #: Days to answer a nonconformity after the report (17021-1 §9.4.9; CB rule, 90 at most).
    nc_response_days: int = Field(ge=1, le=365)
    #: Days after its answer within which a major nonconformity's correction must be verified;
    #: past it, the major escalates (scheme rule; Qualiopi: one month after the fix).
    major_verification_days: int = Field(ge=1, le=365)
    #: Majors of a stage 2 not verified this many months after its last day: a new stage 2 is
    #: required (17021-1 §9.5.3.2 note; IMANOR RGCSM).
    major_verification_months: int = Field(ge=1, le=24)
    #: A minor nonconformity not closed by the next audit becomes a major (scheme rule).
    minor_escalates_at_next_audit: bool = True
    #: This many open minors on one requirement count as a major (5.2 of docs/domain/domain.md: "several
    #: minors on one requirement can add up to a major"; Qualiopi: 5); None: off.
    minors_as_major: int | None = Field(default=None, ge=2, le=50)
    # -- appeals (17021-1 §9.7) -------------------------------------------------------------------
    #: Days after a finding's report or a decision within which the structure may appeal.
    appeal_days: int = Field(ge=1, le=365)
    # -- impartiality (17021-1 §5.2) -------------------------------------------------------------
    #: Consultancy, accompaniment or training given to a structure bars auditing it and deciding
    #: on it for this many months (17021-1 §5.2.11: two years).
    cooling_off_months: int = Field(ge=0, le=120)
    #: The same lead auditor may lead at most this many consecutive cycles of a structure
    #: (scheme rule, off by default: 17021-1 asks only to manage the familiarity threat).
    max_consecutive_lead_cycles: int | None = Field(default=None, ge=1, le=10)
    # -- groups -----------------------------------------------------------------------------------
    sampling: Sampling = Field(default_factory=Sampling)

    @model_validator(mode="after")
    def _consistent(self) -> SchemeParameters:
        if self.surveillance == "follow_up" and self.follow_up_months >= self.validity_months:
            raise ValueError("follow_up_months must fall within validity_months")
        if self.first_surveillance_months >= self.validity_months:
            raise ValueError("first_surveillance_months must fall within validity_months")
        return self


class SchemeParametersError(ValueError):
    """A scheme parameter file is missing or invalid (names the file and the field)."""


def load(directory: Path | None = None) -> dict[str, SchemeParameters]:
    """Every scheme's parameters from ``directory`` (the packaged files when None)."""
    return dict(_load(directory or PACKAGED))


@cache
def _load(directory: Path) -> tuple[tuple[str, SchemeParameters], ...]:
    found: list[tuple[str, SchemeParameters]] = []
    for scheme in SCHEMES:
        path = directory / f"{scheme}.yaml"
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise SchemeParametersError(f"{path}: cannot be read ({exc.strerror})") from exc
        except yaml.YAMLError as exc:
            raise SchemeParametersError(f"{path}: not valid YAML ({exc})") from exc
        try:
            parameters = SchemeParameters.model_validate(data)
        except ValidationError as exc:
            where = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or '(file)'}: {e['msg']}"
                for e in exc.errors()
            )
            raise SchemeParametersError(f"{path}: {where}") from exc
        if parameters.scheme != scheme:
            raise SchemeParametersError(f"{path}: scheme is {parameters.scheme}, not {scheme}")
        found.append((scheme, parameters))
    return tuple(found)


class SchemeSettings(BaseModel):
    """The settings part of a service that reasons with scheme parameters (audit, labelling).

    One variable for every service, ``CAP_SCHEME_PARAMETERS_DIR`` (no service prefix): a
    directory holding ``CAP_RSE.yaml`` and ``CAP_ISO9001.yaml``; unset, the packaged files.
    The files are read and validated when the settings are built, so a bad file stops the
    process at start-up with the file and the field named.
    """

    scheme_parameters_dir: Path | None = Field(
        default=None,
        validation_alias=AliasChoices("CAP_SCHEME_PARAMETERS_DIR", "scheme_parameters_dir"),
    )

    @model_validator(mode="after")
    def _parameters_load(self) -> SchemeSettings:
        load(self.scheme_parameters_dir)
        return self

    def scheme_parameters(self, scheme: str) -> SchemeParameters:
        """The parameters of ``scheme`` (CAP_RSE or CAP_ISO9001)."""
        return load(self.scheme_parameters_dir)[scheme]

    def all_scheme_parameters(self) -> dict[str, SchemeParameters]:
        """Every scheme's parameters, by scheme code."""
        return load(self.scheme_parameters_dir)
