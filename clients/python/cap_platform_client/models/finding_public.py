from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.appeal_public import AppealPublic
    from ..models.finding_public_evidence_item import FindingPublicEvidenceItem
    from ..models.finding_public_response_evidence_item import FindingPublicResponseEvidenceItem


T = TypeVar("T", bound="FindingPublic")


@_attrs_define
class FindingPublic:
    """A finding, its answer, review and appeal.

    Attributes:
        action_due (datetime.date | None):
        audit_id (str):
        auditor_comment (None | str):
        clause (None | str):
        correction (None | str):
        corrective_action (None | str):
        criterion_urn (None | str):
        description (str):
        evidence (list[FindingPublicEvidenceItem]):
        id (str):
        organisation_id (str):
        overdue (bool):
        responded_at (datetime.datetime | None):
        response_due (datetime.date | None):
        response_evidence (list[FindingPublicResponseEvidenceItem]):
        root_cause (None | str):
        status (str):
        title (str):
        type_ (str):
        verified_at (datetime.datetime | None):
        appeal (AppealPublic | None | Unset):
        appeal_deadline (datetime.date | None | Unset):
        escalated_from (None | str | Unset):
        escalated_on (datetime.date | None | Unset):
        site_id (None | str | Unset):
        verification_due (datetime.date | None | Unset):
    """

    action_due: datetime.date | None
    audit_id: str
    auditor_comment: None | str
    clause: None | str
    correction: None | str
    corrective_action: None | str
    criterion_urn: None | str
    description: str
    evidence: list[FindingPublicEvidenceItem]
    id: str
    organisation_id: str
    overdue: bool
    responded_at: datetime.datetime | None
    response_due: datetime.date | None
    response_evidence: list[FindingPublicResponseEvidenceItem]
    root_cause: None | str
    status: str
    title: str
    type_: str
    verified_at: datetime.datetime | None
    appeal: AppealPublic | None | Unset = UNSET
    appeal_deadline: datetime.date | None | Unset = UNSET
    escalated_from: None | str | Unset = UNSET
    escalated_on: datetime.date | None | Unset = UNSET
    site_id: None | str | Unset = UNSET
    verification_due: datetime.date | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.appeal_public import AppealPublic  # noqa: PLC0415

        action_due: None | str
        if isinstance(self.action_due, datetime.date):
            action_due = self.action_due.isoformat()
        else:
            action_due = self.action_due

        audit_id = self.audit_id

        auditor_comment: None | str
        auditor_comment = self.auditor_comment

        clause: None | str
        clause = self.clause

        correction: None | str
        correction = self.correction

        corrective_action: None | str
        corrective_action = self.corrective_action

        criterion_urn: None | str
        criterion_urn = self.criterion_urn

        description = self.description

        evidence = []
        for evidence_item_data in self.evidence:
            evidence_item = evidence_item_data.to_dict()
            evidence.append(evidence_item)

        id = self.id

        organisation_id = self.organisation_id

        overdue = self.overdue

        responded_at: None | str
        if isinstance(self.responded_at, datetime.datetime):
            responded_at = self.responded_at.isoformat()
        else:
            responded_at = self.responded_at

        response_due: None | str
        if isinstance(self.response_due, datetime.date):
            response_due = self.response_due.isoformat()
        else:
            response_due = self.response_due

        response_evidence = []
        for response_evidence_item_data in self.response_evidence:
            response_evidence_item = response_evidence_item_data.to_dict()
            response_evidence.append(response_evidence_item)

        root_cause: None | str
        root_cause = self.root_cause

        status = self.status

        title = self.title

        type_ = self.type_

        verified_at: None | str
        if isinstance(self.verified_at, datetime.datetime):
            verified_at = self.verified_at.isoformat()
        else:
            verified_at = self.verified_at

        appeal: dict[str, Any] | None | Unset
        if isinstance(self.appeal, Unset):
            appeal = UNSET
        elif isinstance(self.appeal, AppealPublic):
            appeal = self.appeal.to_dict()
        else:
            appeal = self.appeal

        appeal_deadline: None | str | Unset
        if isinstance(self.appeal_deadline, Unset):
            appeal_deadline = UNSET
        elif isinstance(self.appeal_deadline, datetime.date):
            appeal_deadline = self.appeal_deadline.isoformat()
        else:
            appeal_deadline = self.appeal_deadline

        escalated_from: None | str | Unset
        if isinstance(self.escalated_from, Unset):
            escalated_from = UNSET
        else:
            escalated_from = self.escalated_from

        escalated_on: None | str | Unset
        if isinstance(self.escalated_on, Unset):
            escalated_on = UNSET
        elif isinstance(self.escalated_on, datetime.date):
            escalated_on = self.escalated_on.isoformat()
        else:
            escalated_on = self.escalated_on

        site_id: None | str | Unset
        if isinstance(self.site_id, Unset):
            site_id = UNSET
        else:
            site_id = self.site_id

        verification_due: None | str | Unset
        if isinstance(self.verification_due, Unset):
            verification_due = UNSET
        elif isinstance(self.verification_due, datetime.date):
            verification_due = self.verification_due.isoformat()
        else:
            verification_due = self.verification_due

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "action_due": action_due,
                "audit_id": audit_id,
                "auditor_comment": auditor_comment,
                "clause": clause,
                "correction": correction,
                "corrective_action": corrective_action,
                "criterion_urn": criterion_urn,
                "description": description,
                "evidence": evidence,
                "id": id,
                "organisation_id": organisation_id,
                "overdue": overdue,
                "responded_at": responded_at,
                "response_due": response_due,
                "response_evidence": response_evidence,
                "root_cause": root_cause,
                "status": status,
                "title": title,
                "type": type_,
                "verified_at": verified_at,
            }
        )
        if appeal is not UNSET:
            field_dict["appeal"] = appeal
        if appeal_deadline is not UNSET:
            field_dict["appeal_deadline"] = appeal_deadline
        if escalated_from is not UNSET:
            field_dict["escalated_from"] = escalated_from
        if escalated_on is not UNSET:
            field_dict["escalated_on"] = escalated_on
        if site_id is not UNSET:
            field_dict["site_id"] = site_id
        if verification_due is not UNSET:
            field_dict["verification_due"] = verification_due

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.appeal_public import AppealPublic  # noqa: PLC0415
        from ..models.finding_public_evidence_item import FindingPublicEvidenceItem  # noqa: PLC0415
        from ..models.finding_public_response_evidence_item import FindingPublicResponseEvidenceItem  # noqa: PLC0415

        d = dict(src_dict)

        def _parse_action_due(data: object) -> datetime.date | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                action_due_type_0 = datetime.date.fromisoformat(data)

                return action_due_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.date | None, data)

        action_due = _parse_action_due(d.pop("action_due"))

        audit_id = d.pop("audit_id")

        def _parse_auditor_comment(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        auditor_comment = _parse_auditor_comment(d.pop("auditor_comment"))

        def _parse_clause(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        clause = _parse_clause(d.pop("clause"))

        def _parse_correction(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        correction = _parse_correction(d.pop("correction"))

        def _parse_corrective_action(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        corrective_action = _parse_corrective_action(d.pop("corrective_action"))

        def _parse_criterion_urn(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        criterion_urn = _parse_criterion_urn(d.pop("criterion_urn"))

        description = d.pop("description")

        evidence = []
        _evidence = d.pop("evidence")
        for evidence_item_data in _evidence:
            evidence_item = FindingPublicEvidenceItem.from_dict(evidence_item_data)

            evidence.append(evidence_item)

        id = d.pop("id")

        organisation_id = d.pop("organisation_id")

        overdue = d.pop("overdue")

        def _parse_responded_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                responded_at_type_0 = datetime.datetime.fromisoformat(data)

                return responded_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        responded_at = _parse_responded_at(d.pop("responded_at"))

        def _parse_response_due(data: object) -> datetime.date | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                response_due_type_0 = datetime.date.fromisoformat(data)

                return response_due_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.date | None, data)

        response_due = _parse_response_due(d.pop("response_due"))

        response_evidence = []
        _response_evidence = d.pop("response_evidence")
        for response_evidence_item_data in _response_evidence:
            response_evidence_item = FindingPublicResponseEvidenceItem.from_dict(response_evidence_item_data)

            response_evidence.append(response_evidence_item)

        def _parse_root_cause(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        root_cause = _parse_root_cause(d.pop("root_cause"))

        status = d.pop("status")

        title = d.pop("title")

        type_ = d.pop("type")

        def _parse_verified_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                verified_at_type_0 = datetime.datetime.fromisoformat(data)

                return verified_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        verified_at = _parse_verified_at(d.pop("verified_at"))

        def _parse_appeal(data: object) -> AppealPublic | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                appeal_type_0 = AppealPublic.from_dict(data)

                return appeal_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(AppealPublic | None | Unset, data)

        appeal = _parse_appeal(d.pop("appeal", UNSET))

        def _parse_appeal_deadline(data: object) -> datetime.date | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                appeal_deadline_type_0 = datetime.date.fromisoformat(data)

                return appeal_deadline_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.date | None | Unset, data)

        appeal_deadline = _parse_appeal_deadline(d.pop("appeal_deadline", UNSET))

        def _parse_escalated_from(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        escalated_from = _parse_escalated_from(d.pop("escalated_from", UNSET))

        def _parse_escalated_on(data: object) -> datetime.date | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                escalated_on_type_0 = datetime.date.fromisoformat(data)

                return escalated_on_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.date | None | Unset, data)

        escalated_on = _parse_escalated_on(d.pop("escalated_on", UNSET))

        def _parse_site_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        site_id = _parse_site_id(d.pop("site_id", UNSET))

        def _parse_verification_due(data: object) -> datetime.date | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                verification_due_type_0 = datetime.date.fromisoformat(data)

                return verification_due_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.date | None | Unset, data)

        verification_due = _parse_verification_due(d.pop("verification_due", UNSET))

        finding_public = cls(
            action_due=action_due,
            audit_id=audit_id,
            auditor_comment=auditor_comment,
            clause=clause,
            correction=correction,
            corrective_action=corrective_action,
            criterion_urn=criterion_urn,
            description=description,
            evidence=evidence,
            id=id,
            organisation_id=organisation_id,
            overdue=overdue,
            responded_at=responded_at,
            response_due=response_due,
            response_evidence=response_evidence,
            root_cause=root_cause,
            status=status,
            title=title,
            type_=type_,
            verified_at=verified_at,
            appeal=appeal,
            appeal_deadline=appeal_deadline,
            escalated_from=escalated_from,
            escalated_on=escalated_on,
            site_id=site_id,
            verification_due=verification_due,
        )

        finding_public.additional_properties = d
        return finding_public

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
