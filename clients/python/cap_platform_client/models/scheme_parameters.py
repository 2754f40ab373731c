from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.scheme_parameters_scheme import SchemeParametersScheme
from ..models.scheme_parameters_surveillance import SchemeParametersSurveillance
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.sampling import Sampling


T = TypeVar("T", bound="SchemeParameters")


@_attrs_define
class SchemeParameters:
    """One scheme's parameters (every duration in days or calendar months).

    Attributes:
        appeal_days (int):
        cooling_off_months (int):
        initial_within_days (int):
        major_verification_days (int):
        major_verification_months (int):
        nc_response_days (int):
        renewal_lead_days (int):
        restoration_months (int):
        scheme (SchemeParametersScheme):
        stage2_within_days (int):
        surveillance (SchemeParametersSurveillance):
        suspension_max_months (int):
        validity_months (int):
        first_surveillance_months (int | Unset):  Default: 12.
        follow_up_months (int | Unset):  Default: 18.
        max_consecutive_lead_cycles (int | None | Unset):
        minor_escalates_at_next_audit (bool | Unset):  Default: True.
        minors_as_major (int | None | Unset):
        sampling (Sampling | Unset): Site sampling of a group (multi-site) programme, IAF MD 1:2018 §7.3 / §8.2.
        surveillance_grace_days (int | Unset):  Default: 0.
    """

    appeal_days: int
    cooling_off_months: int
    initial_within_days: int
    major_verification_days: int
    major_verification_months: int
    nc_response_days: int
    renewal_lead_days: int
    restoration_months: int
    scheme: SchemeParametersScheme
    stage2_within_days: int
    surveillance: SchemeParametersSurveillance
    suspension_max_months: int
    validity_months: int
    first_surveillance_months: int | Unset = 12
    follow_up_months: int | Unset = 18
    max_consecutive_lead_cycles: int | None | Unset = UNSET
    minor_escalates_at_next_audit: bool | Unset = True
    minors_as_major: int | None | Unset = UNSET
    sampling: Sampling | Unset = UNSET
    surveillance_grace_days: int | Unset = 0

    def to_dict(self) -> dict[str, Any]:
        appeal_days = self.appeal_days

        cooling_off_months = self.cooling_off_months

        initial_within_days = self.initial_within_days

        major_verification_days = self.major_verification_days

        major_verification_months = self.major_verification_months

        nc_response_days = self.nc_response_days

        renewal_lead_days = self.renewal_lead_days

        restoration_months = self.restoration_months

        scheme = self.scheme.value

        stage2_within_days = self.stage2_within_days

        surveillance = self.surveillance.value

        suspension_max_months = self.suspension_max_months

        validity_months = self.validity_months

        first_surveillance_months = self.first_surveillance_months

        follow_up_months = self.follow_up_months

        max_consecutive_lead_cycles: int | None | Unset
        if isinstance(self.max_consecutive_lead_cycles, Unset):
            max_consecutive_lead_cycles = UNSET
        else:
            max_consecutive_lead_cycles = self.max_consecutive_lead_cycles

        minor_escalates_at_next_audit = self.minor_escalates_at_next_audit

        minors_as_major: int | None | Unset
        if isinstance(self.minors_as_major, Unset):
            minors_as_major = UNSET
        else:
            minors_as_major = self.minors_as_major

        sampling: dict[str, Any] | Unset = UNSET
        if not isinstance(self.sampling, Unset):
            sampling = self.sampling.to_dict()

        surveillance_grace_days = self.surveillance_grace_days

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "appeal_days": appeal_days,
                "cooling_off_months": cooling_off_months,
                "initial_within_days": initial_within_days,
                "major_verification_days": major_verification_days,
                "major_verification_months": major_verification_months,
                "nc_response_days": nc_response_days,
                "renewal_lead_days": renewal_lead_days,
                "restoration_months": restoration_months,
                "scheme": scheme,
                "stage2_within_days": stage2_within_days,
                "surveillance": surveillance,
                "suspension_max_months": suspension_max_months,
                "validity_months": validity_months,
            }
        )
        if first_surveillance_months is not UNSET:
            field_dict["first_surveillance_months"] = first_surveillance_months
        if follow_up_months is not UNSET:
            field_dict["follow_up_months"] = follow_up_months
        if max_consecutive_lead_cycles is not UNSET:
            field_dict["max_consecutive_lead_cycles"] = max_consecutive_lead_cycles
        if minor_escalates_at_next_audit is not UNSET:
            field_dict["minor_escalates_at_next_audit"] = minor_escalates_at_next_audit
        if minors_as_major is not UNSET:
            field_dict["minors_as_major"] = minors_as_major
        if sampling is not UNSET:
            field_dict["sampling"] = sampling
        if surveillance_grace_days is not UNSET:
            field_dict["surveillance_grace_days"] = surveillance_grace_days

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.sampling import Sampling  # noqa: PLC0415

        d = dict(src_dict)
        appeal_days = d.pop("appeal_days")

        cooling_off_months = d.pop("cooling_off_months")

        initial_within_days = d.pop("initial_within_days")

        major_verification_days = d.pop("major_verification_days")

        major_verification_months = d.pop("major_verification_months")

        nc_response_days = d.pop("nc_response_days")

        renewal_lead_days = d.pop("renewal_lead_days")

        restoration_months = d.pop("restoration_months")

        scheme = SchemeParametersScheme(d.pop("scheme"))

        stage2_within_days = d.pop("stage2_within_days")

        surveillance = SchemeParametersSurveillance(d.pop("surveillance"))

        suspension_max_months = d.pop("suspension_max_months")

        validity_months = d.pop("validity_months")

        first_surveillance_months = d.pop("first_surveillance_months", UNSET)

        follow_up_months = d.pop("follow_up_months", UNSET)

        def _parse_max_consecutive_lead_cycles(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        max_consecutive_lead_cycles = _parse_max_consecutive_lead_cycles(d.pop("max_consecutive_lead_cycles", UNSET))

        minor_escalates_at_next_audit = d.pop("minor_escalates_at_next_audit", UNSET)

        def _parse_minors_as_major(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        minors_as_major = _parse_minors_as_major(d.pop("minors_as_major", UNSET))

        _sampling = d.pop("sampling", UNSET)
        sampling: Sampling | Unset
        if isinstance(_sampling, Unset):
            sampling = UNSET
        else:
            sampling = Sampling.from_dict(_sampling)

        surveillance_grace_days = d.pop("surveillance_grace_days", UNSET)

        scheme_parameters = cls(
            appeal_days=appeal_days,
            cooling_off_months=cooling_off_months,
            initial_within_days=initial_within_days,
            major_verification_days=major_verification_days,
            major_verification_months=major_verification_months,
            nc_response_days=nc_response_days,
            renewal_lead_days=renewal_lead_days,
            restoration_months=restoration_months,
            scheme=scheme,
            stage2_within_days=stage2_within_days,
            surveillance=surveillance,
            suspension_max_months=suspension_max_months,
            validity_months=validity_months,
            first_surveillance_months=first_surveillance_months,
            follow_up_months=follow_up_months,
            max_consecutive_lead_cycles=max_consecutive_lead_cycles,
            minor_escalates_at_next_audit=minor_escalates_at_next_audit,
            minors_as_major=minors_as_major,
            sampling=sampling,
            surveillance_grace_days=surveillance_grace_days,
        )

        return scheme_parameters
