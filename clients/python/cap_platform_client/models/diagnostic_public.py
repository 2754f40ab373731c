from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.diagnostic_public_audit_evaluation_type_0 import DiagnosticPublicAuditEvaluationType0
    from ..models.diagnostic_public_facilitator_accounts_item import DiagnosticPublicFacilitatorAccountsItem
    from ..models.diagnostic_public_key_figures_type_0 import DiagnosticPublicKeyFiguresType0
    from ..models.diagnostic_public_migrations_item import DiagnosticPublicMigrationsItem
    from ..models.diagnostic_public_participants_item import DiagnosticPublicParticipantsItem
    from ..models.diagnostic_public_progress import DiagnosticPublicProgress
    from ..models.diagnostic_public_referential import DiagnosticPublicReferential


T = TypeVar("T", bound="DiagnosticPublic")


@_attrs_define
class DiagnosticPublic:
    """A diagnostic, its progress and what can be done next.

    Attributes:
        allowed_actions (list[str]):
        completed_at (datetime.datetime | None):
        created_at (datetime.datetime):
        created_by (str):
        facilitator (None | str):
        id (str):
        key_figures (DiagnosticPublicKeyFiguresType0 | None):
        kind (str):
        migrations (list[DiagnosticPublicMigrationsItem]):
        organisation_id (str):
        overall_band (None | str):
        overall_score (int | None):
        participants (list[DiagnosticPublicParticipantsItem]):
        progress (DiagnosticPublicProgress):
        referential (DiagnosticPublicReferential):
        revision (int):
        session_date (datetime.date | None):
        status (str):
        title (str):
        updated_at (datetime.datetime): Last change (the delta sync's change time)
        audit_evaluation (DiagnosticPublicAuditEvaluationType0 | None | Unset): An audit evaluation's record: the audit,
            the site (null: the audited organisation), the criteria the auditor rated, judged not applicable or left
            unrated, and the entries ignored
        audit_id (None | str | Unset): An audit evaluation's audit (kind audit_evaluation)
        facilitator_accounts (list[DiagnosticPublicFacilitatorAccountsItem] | Unset): How each was recorded: {user_id,
            how: acted | named, by, at}
        facilitator_user_ids (list[str] | Unset): A CAP session's facilitators as platform accounts (published with its
            completion: an accompaniment engagement of each)
    """

    allowed_actions: list[str]
    completed_at: datetime.datetime | None
    created_at: datetime.datetime
    created_by: str
    facilitator: None | str
    id: str
    key_figures: DiagnosticPublicKeyFiguresType0 | None
    kind: str
    migrations: list[DiagnosticPublicMigrationsItem]
    organisation_id: str
    overall_band: None | str
    overall_score: int | None
    participants: list[DiagnosticPublicParticipantsItem]
    progress: DiagnosticPublicProgress
    referential: DiagnosticPublicReferential
    revision: int
    session_date: datetime.date | None
    status: str
    title: str
    updated_at: datetime.datetime
    audit_evaluation: DiagnosticPublicAuditEvaluationType0 | None | Unset = UNSET
    audit_id: None | str | Unset = UNSET
    facilitator_accounts: list[DiagnosticPublicFacilitatorAccountsItem] | Unset = UNSET
    facilitator_user_ids: list[str] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.diagnostic_public_audit_evaluation_type_0 import DiagnosticPublicAuditEvaluationType0  # noqa: PLC0415
        from ..models.diagnostic_public_key_figures_type_0 import DiagnosticPublicKeyFiguresType0  # noqa: PLC0415

        allowed_actions = self.allowed_actions

        completed_at: None | str
        if isinstance(self.completed_at, datetime.datetime):
            completed_at = self.completed_at.isoformat()
        else:
            completed_at = self.completed_at

        created_at = self.created_at.isoformat()

        created_by = self.created_by

        facilitator: None | str
        facilitator = self.facilitator

        id = self.id

        key_figures: dict[str, Any] | None
        if isinstance(self.key_figures, DiagnosticPublicKeyFiguresType0):
            key_figures = self.key_figures.to_dict()
        else:
            key_figures = self.key_figures

        kind = self.kind

        migrations = []
        for migrations_item_data in self.migrations:
            migrations_item = migrations_item_data.to_dict()
            migrations.append(migrations_item)

        organisation_id = self.organisation_id

        overall_band: None | str
        overall_band = self.overall_band

        overall_score: int | None
        overall_score = self.overall_score

        participants = []
        for participants_item_data in self.participants:
            participants_item = participants_item_data.to_dict()
            participants.append(participants_item)

        progress = self.progress.to_dict()

        referential = self.referential.to_dict()

        revision = self.revision

        session_date: None | str
        if isinstance(self.session_date, datetime.date):
            session_date = self.session_date.isoformat()
        else:
            session_date = self.session_date

        status = self.status

        title = self.title

        updated_at = self.updated_at.isoformat()

        audit_evaluation: dict[str, Any] | None | Unset
        if isinstance(self.audit_evaluation, Unset):
            audit_evaluation = UNSET
        elif isinstance(self.audit_evaluation, DiagnosticPublicAuditEvaluationType0):
            audit_evaluation = self.audit_evaluation.to_dict()
        else:
            audit_evaluation = self.audit_evaluation

        audit_id: None | str | Unset
        if isinstance(self.audit_id, Unset):
            audit_id = UNSET
        else:
            audit_id = self.audit_id

        facilitator_accounts: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.facilitator_accounts, Unset):
            facilitator_accounts = []
            for facilitator_accounts_item_data in self.facilitator_accounts:
                facilitator_accounts_item = facilitator_accounts_item_data.to_dict()
                facilitator_accounts.append(facilitator_accounts_item)

        facilitator_user_ids: list[str] | Unset = UNSET
        if not isinstance(self.facilitator_user_ids, Unset):
            facilitator_user_ids = self.facilitator_user_ids

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "allowed_actions": allowed_actions,
                "completed_at": completed_at,
                "created_at": created_at,
                "created_by": created_by,
                "facilitator": facilitator,
                "id": id,
                "key_figures": key_figures,
                "kind": kind,
                "migrations": migrations,
                "organisation_id": organisation_id,
                "overall_band": overall_band,
                "overall_score": overall_score,
                "participants": participants,
                "progress": progress,
                "referential": referential,
                "revision": revision,
                "session_date": session_date,
                "status": status,
                "title": title,
                "updated_at": updated_at,
            }
        )
        if audit_evaluation is not UNSET:
            field_dict["audit_evaluation"] = audit_evaluation
        if audit_id is not UNSET:
            field_dict["audit_id"] = audit_id
        if facilitator_accounts is not UNSET:
            field_dict["facilitator_accounts"] = facilitator_accounts
        if facilitator_user_ids is not UNSET:
            field_dict["facilitator_user_ids"] = facilitator_user_ids

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.diagnostic_public_audit_evaluation_type_0 import DiagnosticPublicAuditEvaluationType0  # noqa: PLC0415
        from ..models.diagnostic_public_facilitator_accounts_item import DiagnosticPublicFacilitatorAccountsItem  # noqa: PLC0415
        from ..models.diagnostic_public_key_figures_type_0 import DiagnosticPublicKeyFiguresType0  # noqa: PLC0415
        from ..models.diagnostic_public_migrations_item import DiagnosticPublicMigrationsItem  # noqa: PLC0415
        from ..models.diagnostic_public_participants_item import DiagnosticPublicParticipantsItem  # noqa: PLC0415
        from ..models.diagnostic_public_progress import DiagnosticPublicProgress  # noqa: PLC0415
        from ..models.diagnostic_public_referential import DiagnosticPublicReferential  # noqa: PLC0415

        d = dict(src_dict)
        allowed_actions = cast(list[str], d.pop("allowed_actions"))

        def _parse_completed_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                completed_at_type_0 = datetime.datetime.fromisoformat(data)

                return completed_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        completed_at = _parse_completed_at(d.pop("completed_at"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        created_by = d.pop("created_by")

        def _parse_facilitator(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        facilitator = _parse_facilitator(d.pop("facilitator"))

        id = d.pop("id")

        def _parse_key_figures(data: object) -> DiagnosticPublicKeyFiguresType0 | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                key_figures_type_0 = DiagnosticPublicKeyFiguresType0.from_dict(data)

                return key_figures_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(DiagnosticPublicKeyFiguresType0 | None, data)

        key_figures = _parse_key_figures(d.pop("key_figures"))

        kind = d.pop("kind")

        migrations = []
        _migrations = d.pop("migrations")
        for migrations_item_data in _migrations:
            migrations_item = DiagnosticPublicMigrationsItem.from_dict(migrations_item_data)

            migrations.append(migrations_item)

        organisation_id = d.pop("organisation_id")

        def _parse_overall_band(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        overall_band = _parse_overall_band(d.pop("overall_band"))

        def _parse_overall_score(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        overall_score = _parse_overall_score(d.pop("overall_score"))

        participants = []
        _participants = d.pop("participants")
        for participants_item_data in _participants:
            participants_item = DiagnosticPublicParticipantsItem.from_dict(participants_item_data)

            participants.append(participants_item)

        progress = DiagnosticPublicProgress.from_dict(d.pop("progress"))

        referential = DiagnosticPublicReferential.from_dict(d.pop("referential"))

        revision = d.pop("revision")

        def _parse_session_date(data: object) -> datetime.date | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                session_date_type_0 = datetime.date.fromisoformat(data)

                return session_date_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.date | None, data)

        session_date = _parse_session_date(d.pop("session_date"))

        status = d.pop("status")

        title = d.pop("title")

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        def _parse_audit_evaluation(data: object) -> DiagnosticPublicAuditEvaluationType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                audit_evaluation_type_0 = DiagnosticPublicAuditEvaluationType0.from_dict(data)

                return audit_evaluation_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(DiagnosticPublicAuditEvaluationType0 | None | Unset, data)

        audit_evaluation = _parse_audit_evaluation(d.pop("audit_evaluation", UNSET))

        def _parse_audit_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        audit_id = _parse_audit_id(d.pop("audit_id", UNSET))

        _facilitator_accounts = d.pop("facilitator_accounts", UNSET)
        facilitator_accounts: list[DiagnosticPublicFacilitatorAccountsItem] | Unset = UNSET
        if _facilitator_accounts is not UNSET:
            facilitator_accounts = []
            for facilitator_accounts_item_data in _facilitator_accounts:
                facilitator_accounts_item = DiagnosticPublicFacilitatorAccountsItem.from_dict(
                    facilitator_accounts_item_data
                )

                facilitator_accounts.append(facilitator_accounts_item)

        facilitator_user_ids = cast(list[str], d.pop("facilitator_user_ids", UNSET))

        diagnostic_public = cls(
            allowed_actions=allowed_actions,
            completed_at=completed_at,
            created_at=created_at,
            created_by=created_by,
            facilitator=facilitator,
            id=id,
            key_figures=key_figures,
            kind=kind,
            migrations=migrations,
            organisation_id=organisation_id,
            overall_band=overall_band,
            overall_score=overall_score,
            participants=participants,
            progress=progress,
            referential=referential,
            revision=revision,
            session_date=session_date,
            status=status,
            title=title,
            updated_at=updated_at,
            audit_evaluation=audit_evaluation,
            audit_id=audit_id,
            facilitator_accounts=facilitator_accounts,
            facilitator_user_ids=facilitator_user_ids,
        )

        diagnostic_public.additional_properties = d
        return diagnostic_public

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
