from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.audit_public_findings import AuditPublicFindings
    from ..models.audit_public_organisation_names import AuditPublicOrganisationNames
    from ..models.audit_public_report_document_type_0 import AuditPublicReportDocumentType0
    from ..models.decision_public import DecisionPublic
    from ..models.sampling_public import SamplingPublic
    from ..models.team_member_public import TeamMemberPublic


T = TypeVar("T", bound="AuditPublic")


@_attrs_define
class AuditPublic:
    """An audit: dates, team, findings per type, report, decision, the steps possible now.

    Attributes:
        accepted_at (datetime.datetime | None):
        allowed_steps (list[str]):
        cancel_reason (None | str):
        certification_body_id (str):
        closed_at (datetime.datetime | None):
        due_by (datetime.date | None):
        end_date (datetime.date | None):
        findings (AuditPublicFindings):
        id (str):
        organisation_id (str):
        plan (None | str):
        programme_id (str):
        report_submitted_at (datetime.datetime | None):
        report_summary (None | str):
        requested_at (datetime.datetime):
        scheme (str):
        start_date (datetime.date | None):
        status (str):
        team (list[TeamMemberPublic]):
        type_ (str):
        cycle (int | Unset):  Default: 1.
        decision (DecisionPublic | None | Unset):
        organisation_names (AuditPublicOrganisationNames | Unset): The names of the audited structure and of its sites,
            by id: who the audit team meets
        report_document (AuditPublicReportDocumentType0 | None | Unset):
        sampling (None | SamplingPublic | Unset):
        site_ids (list[str] | Unset):
        stage2_must_repeat (bool | Unset):  Default: False.
        stage2_required_on (datetime.date | None | Unset):
    """

    accepted_at: datetime.datetime | None
    allowed_steps: list[str]
    cancel_reason: None | str
    certification_body_id: str
    closed_at: datetime.datetime | None
    due_by: datetime.date | None
    end_date: datetime.date | None
    findings: AuditPublicFindings
    id: str
    organisation_id: str
    plan: None | str
    programme_id: str
    report_submitted_at: datetime.datetime | None
    report_summary: None | str
    requested_at: datetime.datetime
    scheme: str
    start_date: datetime.date | None
    status: str
    team: list[TeamMemberPublic]
    type_: str
    cycle: int | Unset = 1
    decision: DecisionPublic | None | Unset = UNSET
    organisation_names: AuditPublicOrganisationNames | Unset = UNSET
    report_document: AuditPublicReportDocumentType0 | None | Unset = UNSET
    sampling: None | SamplingPublic | Unset = UNSET
    site_ids: list[str] | Unset = UNSET
    stage2_must_repeat: bool | Unset = False
    stage2_required_on: datetime.date | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.audit_public_report_document_type_0 import AuditPublicReportDocumentType0  # noqa: PLC0415
        from ..models.decision_public import DecisionPublic  # noqa: PLC0415
        from ..models.sampling_public import SamplingPublic  # noqa: PLC0415

        accepted_at: None | str
        if isinstance(self.accepted_at, datetime.datetime):
            accepted_at = self.accepted_at.isoformat()
        else:
            accepted_at = self.accepted_at

        allowed_steps = self.allowed_steps

        cancel_reason: None | str
        cancel_reason = self.cancel_reason

        certification_body_id = self.certification_body_id

        closed_at: None | str
        if isinstance(self.closed_at, datetime.datetime):
            closed_at = self.closed_at.isoformat()
        else:
            closed_at = self.closed_at

        due_by: None | str
        if isinstance(self.due_by, datetime.date):
            due_by = self.due_by.isoformat()
        else:
            due_by = self.due_by

        end_date: None | str
        if isinstance(self.end_date, datetime.date):
            end_date = self.end_date.isoformat()
        else:
            end_date = self.end_date

        findings = self.findings.to_dict()

        id = self.id

        organisation_id = self.organisation_id

        plan: None | str
        plan = self.plan

        programme_id = self.programme_id

        report_submitted_at: None | str
        if isinstance(self.report_submitted_at, datetime.datetime):
            report_submitted_at = self.report_submitted_at.isoformat()
        else:
            report_submitted_at = self.report_submitted_at

        report_summary: None | str
        report_summary = self.report_summary

        requested_at = self.requested_at.isoformat()

        scheme = self.scheme

        start_date: None | str
        if isinstance(self.start_date, datetime.date):
            start_date = self.start_date.isoformat()
        else:
            start_date = self.start_date

        status = self.status

        team = []
        for team_item_data in self.team:
            team_item = team_item_data.to_dict()
            team.append(team_item)

        type_ = self.type_

        cycle = self.cycle

        decision: dict[str, Any] | None | Unset
        if isinstance(self.decision, Unset):
            decision = UNSET
        elif isinstance(self.decision, DecisionPublic):
            decision = self.decision.to_dict()
        else:
            decision = self.decision

        organisation_names: dict[str, Any] | Unset = UNSET
        if not isinstance(self.organisation_names, Unset):
            organisation_names = self.organisation_names.to_dict()

        report_document: dict[str, Any] | None | Unset
        if isinstance(self.report_document, Unset):
            report_document = UNSET
        elif isinstance(self.report_document, AuditPublicReportDocumentType0):
            report_document = self.report_document.to_dict()
        else:
            report_document = self.report_document

        sampling: dict[str, Any] | None | Unset
        if isinstance(self.sampling, Unset):
            sampling = UNSET
        elif isinstance(self.sampling, SamplingPublic):
            sampling = self.sampling.to_dict()
        else:
            sampling = self.sampling

        site_ids: list[str] | Unset = UNSET
        if not isinstance(self.site_ids, Unset):
            site_ids = self.site_ids

        stage2_must_repeat = self.stage2_must_repeat

        stage2_required_on: None | str | Unset
        if isinstance(self.stage2_required_on, Unset):
            stage2_required_on = UNSET
        elif isinstance(self.stage2_required_on, datetime.date):
            stage2_required_on = self.stage2_required_on.isoformat()
        else:
            stage2_required_on = self.stage2_required_on

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "accepted_at": accepted_at,
                "allowed_steps": allowed_steps,
                "cancel_reason": cancel_reason,
                "certification_body_id": certification_body_id,
                "closed_at": closed_at,
                "due_by": due_by,
                "end_date": end_date,
                "findings": findings,
                "id": id,
                "organisation_id": organisation_id,
                "plan": plan,
                "programme_id": programme_id,
                "report_submitted_at": report_submitted_at,
                "report_summary": report_summary,
                "requested_at": requested_at,
                "scheme": scheme,
                "start_date": start_date,
                "status": status,
                "team": team,
                "type": type_,
            }
        )
        if cycle is not UNSET:
            field_dict["cycle"] = cycle
        if decision is not UNSET:
            field_dict["decision"] = decision
        if organisation_names is not UNSET:
            field_dict["organisation_names"] = organisation_names
        if report_document is not UNSET:
            field_dict["report_document"] = report_document
        if sampling is not UNSET:
            field_dict["sampling"] = sampling
        if site_ids is not UNSET:
            field_dict["site_ids"] = site_ids
        if stage2_must_repeat is not UNSET:
            field_dict["stage2_must_repeat"] = stage2_must_repeat
        if stage2_required_on is not UNSET:
            field_dict["stage2_required_on"] = stage2_required_on

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.audit_public_findings import AuditPublicFindings  # noqa: PLC0415
        from ..models.audit_public_organisation_names import AuditPublicOrganisationNames  # noqa: PLC0415
        from ..models.audit_public_report_document_type_0 import AuditPublicReportDocumentType0  # noqa: PLC0415
        from ..models.decision_public import DecisionPublic  # noqa: PLC0415
        from ..models.sampling_public import SamplingPublic  # noqa: PLC0415
        from ..models.team_member_public import TeamMemberPublic  # noqa: PLC0415

        d = dict(src_dict)

        def _parse_accepted_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                accepted_at_type_0 = datetime.datetime.fromisoformat(data)

                return accepted_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        accepted_at = _parse_accepted_at(d.pop("accepted_at"))

        allowed_steps = cast(list[str], d.pop("allowed_steps"))

        def _parse_cancel_reason(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        cancel_reason = _parse_cancel_reason(d.pop("cancel_reason"))

        certification_body_id = d.pop("certification_body_id")

        def _parse_closed_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                closed_at_type_0 = datetime.datetime.fromisoformat(data)

                return closed_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        closed_at = _parse_closed_at(d.pop("closed_at"))

        def _parse_due_by(data: object) -> datetime.date | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                due_by_type_0 = datetime.date.fromisoformat(data)

                return due_by_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.date | None, data)

        due_by = _parse_due_by(d.pop("due_by"))

        def _parse_end_date(data: object) -> datetime.date | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                end_date_type_0 = datetime.date.fromisoformat(data)

                return end_date_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.date | None, data)

        end_date = _parse_end_date(d.pop("end_date"))

        findings = AuditPublicFindings.from_dict(d.pop("findings"))

        id = d.pop("id")

        organisation_id = d.pop("organisation_id")

        def _parse_plan(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        plan = _parse_plan(d.pop("plan"))

        programme_id = d.pop("programme_id")

        def _parse_report_submitted_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                report_submitted_at_type_0 = datetime.datetime.fromisoformat(data)

                return report_submitted_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        report_submitted_at = _parse_report_submitted_at(d.pop("report_submitted_at"))

        def _parse_report_summary(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        report_summary = _parse_report_summary(d.pop("report_summary"))

        requested_at = datetime.datetime.fromisoformat(d.pop("requested_at"))

        scheme = d.pop("scheme")

        def _parse_start_date(data: object) -> datetime.date | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                start_date_type_0 = datetime.date.fromisoformat(data)

                return start_date_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.date | None, data)

        start_date = _parse_start_date(d.pop("start_date"))

        status = d.pop("status")

        team = []
        _team = d.pop("team")
        for team_item_data in _team:
            team_item = TeamMemberPublic.from_dict(team_item_data)

            team.append(team_item)

        type_ = d.pop("type")

        cycle = d.pop("cycle", UNSET)

        def _parse_decision(data: object) -> DecisionPublic | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                decision_type_0 = DecisionPublic.from_dict(data)

                return decision_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(DecisionPublic | None | Unset, data)

        decision = _parse_decision(d.pop("decision", UNSET))

        _organisation_names = d.pop("organisation_names", UNSET)
        organisation_names: AuditPublicOrganisationNames | Unset
        if isinstance(_organisation_names, Unset):
            organisation_names = UNSET
        else:
            organisation_names = AuditPublicOrganisationNames.from_dict(_organisation_names)

        def _parse_report_document(data: object) -> AuditPublicReportDocumentType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                report_document_type_0 = AuditPublicReportDocumentType0.from_dict(data)

                return report_document_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(AuditPublicReportDocumentType0 | None | Unset, data)

        report_document = _parse_report_document(d.pop("report_document", UNSET))

        def _parse_sampling(data: object) -> None | SamplingPublic | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                sampling_type_0 = SamplingPublic.from_dict(data)

                return sampling_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | SamplingPublic | Unset, data)

        sampling = _parse_sampling(d.pop("sampling", UNSET))

        site_ids = cast(list[str], d.pop("site_ids", UNSET))

        stage2_must_repeat = d.pop("stage2_must_repeat", UNSET)

        def _parse_stage2_required_on(data: object) -> datetime.date | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                stage2_required_on_type_0 = datetime.date.fromisoformat(data)

                return stage2_required_on_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.date | None | Unset, data)

        stage2_required_on = _parse_stage2_required_on(d.pop("stage2_required_on", UNSET))

        audit_public = cls(
            accepted_at=accepted_at,
            allowed_steps=allowed_steps,
            cancel_reason=cancel_reason,
            certification_body_id=certification_body_id,
            closed_at=closed_at,
            due_by=due_by,
            end_date=end_date,
            findings=findings,
            id=id,
            organisation_id=organisation_id,
            plan=plan,
            programme_id=programme_id,
            report_submitted_at=report_submitted_at,
            report_summary=report_summary,
            requested_at=requested_at,
            scheme=scheme,
            start_date=start_date,
            status=status,
            team=team,
            type_=type_,
            cycle=cycle,
            decision=decision,
            organisation_names=organisation_names,
            report_document=report_document,
            sampling=sampling,
            site_ids=site_ids,
            stage2_must_repeat=stage2_must_repeat,
            stage2_required_on=stage2_required_on,
        )

        audit_public.additional_properties = d
        return audit_public

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
