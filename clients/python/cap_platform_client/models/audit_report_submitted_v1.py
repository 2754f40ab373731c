from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.audit_report_submitted_v1_scheme import AuditReportSubmittedV1Scheme
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.audit_report_submitted_v1_summary import AuditReportSubmittedV1Summary
    from ..models.evaluated_maturity_v1 import EvaluatedMaturityV1
    from ..models.finding_v1 import FindingV1


T = TypeVar("T", bound="AuditReportSubmittedV1")


@_attrs_define
class AuditReportSubmittedV1:
    """An audit report was submitted; its findings feed the organisation's progress plan.

    Attributes:
        audit_id (str):
        audit_type (str): stage1, stage2, surveillance, renewal, initial, follow_up
        organisation_id (str):
        scheme (AuditReportSubmittedV1Scheme):
        submitted_at (datetime.datetime):
        auditor_user_ids (list[str] | Unset): People who audited: they may not decide on the file
        certification_body_id (None | str | Unset):
        cycle (int | Unset): The certification cycle the audit belongs to Default: 1.
        evaluated_maturity (list[EvaluatedMaturityV1] | Unset):
        findings (list[FindingV1] | Unset):
        last_day (datetime.date | None | Unset): Last day of the audit on site
        programme_id (None | str | Unset):
        site_ids (list[str] | Unset): Group members (sites) audited, besides the organisation itself
        summary (AuditReportSubmittedV1Summary | Unset): Findings per type: major_nc, minor_nc, observation...
    """

    audit_id: str
    audit_type: str
    organisation_id: str
    scheme: AuditReportSubmittedV1Scheme
    submitted_at: datetime.datetime
    auditor_user_ids: list[str] | Unset = UNSET
    certification_body_id: None | str | Unset = UNSET
    cycle: int | Unset = 1
    evaluated_maturity: list[EvaluatedMaturityV1] | Unset = UNSET
    findings: list[FindingV1] | Unset = UNSET
    last_day: datetime.date | None | Unset = UNSET
    programme_id: None | str | Unset = UNSET
    site_ids: list[str] | Unset = UNSET
    summary: AuditReportSubmittedV1Summary | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        audit_id = self.audit_id

        audit_type = self.audit_type

        organisation_id = self.organisation_id

        scheme = self.scheme.value

        submitted_at = self.submitted_at.isoformat()

        auditor_user_ids: list[str] | Unset = UNSET
        if not isinstance(self.auditor_user_ids, Unset):
            auditor_user_ids = self.auditor_user_ids

        certification_body_id: None | str | Unset
        if isinstance(self.certification_body_id, Unset):
            certification_body_id = UNSET
        else:
            certification_body_id = self.certification_body_id

        cycle = self.cycle

        evaluated_maturity: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.evaluated_maturity, Unset):
            evaluated_maturity = []
            for evaluated_maturity_item_data in self.evaluated_maturity:
                evaluated_maturity_item = evaluated_maturity_item_data.to_dict()
                evaluated_maturity.append(evaluated_maturity_item)

        findings: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.findings, Unset):
            findings = []
            for findings_item_data in self.findings:
                findings_item = findings_item_data.to_dict()
                findings.append(findings_item)

        last_day: None | str | Unset
        if isinstance(self.last_day, Unset):
            last_day = UNSET
        elif isinstance(self.last_day, datetime.date):
            last_day = self.last_day.isoformat()
        else:
            last_day = self.last_day

        programme_id: None | str | Unset
        if isinstance(self.programme_id, Unset):
            programme_id = UNSET
        else:
            programme_id = self.programme_id

        site_ids: list[str] | Unset = UNSET
        if not isinstance(self.site_ids, Unset):
            site_ids = self.site_ids

        summary: dict[str, Any] | Unset = UNSET
        if not isinstance(self.summary, Unset):
            summary = self.summary.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "audit_id": audit_id,
                "audit_type": audit_type,
                "organisation_id": organisation_id,
                "scheme": scheme,
                "submitted_at": submitted_at,
            }
        )
        if auditor_user_ids is not UNSET:
            field_dict["auditor_user_ids"] = auditor_user_ids
        if certification_body_id is not UNSET:
            field_dict["certification_body_id"] = certification_body_id
        if cycle is not UNSET:
            field_dict["cycle"] = cycle
        if evaluated_maturity is not UNSET:
            field_dict["evaluated_maturity"] = evaluated_maturity
        if findings is not UNSET:
            field_dict["findings"] = findings
        if last_day is not UNSET:
            field_dict["last_day"] = last_day
        if programme_id is not UNSET:
            field_dict["programme_id"] = programme_id
        if site_ids is not UNSET:
            field_dict["site_ids"] = site_ids
        if summary is not UNSET:
            field_dict["summary"] = summary

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.audit_report_submitted_v1_summary import AuditReportSubmittedV1Summary  # noqa: PLC0415
        from ..models.evaluated_maturity_v1 import EvaluatedMaturityV1  # noqa: PLC0415
        from ..models.finding_v1 import FindingV1  # noqa: PLC0415

        d = dict(src_dict)
        audit_id = d.pop("audit_id")

        audit_type = d.pop("audit_type")

        organisation_id = d.pop("organisation_id")

        scheme = AuditReportSubmittedV1Scheme(d.pop("scheme"))

        submitted_at = datetime.datetime.fromisoformat(d.pop("submitted_at"))

        auditor_user_ids = cast(list[str], d.pop("auditor_user_ids", UNSET))

        def _parse_certification_body_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        certification_body_id = _parse_certification_body_id(d.pop("certification_body_id", UNSET))

        cycle = d.pop("cycle", UNSET)

        _evaluated_maturity = d.pop("evaluated_maturity", UNSET)
        evaluated_maturity: list[EvaluatedMaturityV1] | Unset = UNSET
        if _evaluated_maturity is not UNSET:
            evaluated_maturity = []
            for evaluated_maturity_item_data in _evaluated_maturity:
                evaluated_maturity_item = EvaluatedMaturityV1.from_dict(evaluated_maturity_item_data)

                evaluated_maturity.append(evaluated_maturity_item)

        _findings = d.pop("findings", UNSET)
        findings: list[FindingV1] | Unset = UNSET
        if _findings is not UNSET:
            findings = []
            for findings_item_data in _findings:
                findings_item = FindingV1.from_dict(findings_item_data)

                findings.append(findings_item)

        def _parse_last_day(data: object) -> datetime.date | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                last_day_type_0 = datetime.date.fromisoformat(data)

                return last_day_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.date | None | Unset, data)

        last_day = _parse_last_day(d.pop("last_day", UNSET))

        def _parse_programme_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        programme_id = _parse_programme_id(d.pop("programme_id", UNSET))

        site_ids = cast(list[str], d.pop("site_ids", UNSET))

        _summary = d.pop("summary", UNSET)
        summary: AuditReportSubmittedV1Summary | Unset
        if isinstance(_summary, Unset):
            summary = UNSET
        else:
            summary = AuditReportSubmittedV1Summary.from_dict(_summary)

        audit_report_submitted_v1 = cls(
            audit_id=audit_id,
            audit_type=audit_type,
            organisation_id=organisation_id,
            scheme=scheme,
            submitted_at=submitted_at,
            auditor_user_ids=auditor_user_ids,
            certification_body_id=certification_body_id,
            cycle=cycle,
            evaluated_maturity=evaluated_maturity,
            findings=findings,
            last_day=last_day,
            programme_id=programme_id,
            site_ids=site_ids,
            summary=summary,
        )

        audit_report_submitted_v1.additional_properties = d
        return audit_report_submitted_v1

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
