from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.diagnostic_create_kind import DiagnosticCreateKind
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.participant import Participant


T = TypeVar("T", bound="DiagnosticCreate")


@_attrs_define
class DiagnosticCreate:
    """Open a diagnostic.

    Attributes:
        organisation_id (str):
        facilitator (None | str | Unset):
        facilitator_user_ids (list[str] | None | Unset):
        kind (DiagnosticCreateKind | Unset):  Default: DiagnosticCreateKind.CAP_SESSION.
        participants (list[Participant] | Unset):
        referential_code (str | Unset):  Default: 'CAP'.
        referential_version (int | None | Unset): Latest when absent
        session_date (datetime.date | None | Unset):
        title (None | str | Unset):
    """

    organisation_id: str
    facilitator: None | str | Unset = UNSET
    facilitator_user_ids: list[str] | None | Unset = UNSET
    kind: DiagnosticCreateKind | Unset = DiagnosticCreateKind.CAP_SESSION
    participants: list[Participant] | Unset = UNSET
    referential_code: str | Unset = "CAP"
    referential_version: int | None | Unset = UNSET
    session_date: datetime.date | None | Unset = UNSET
    title: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        organisation_id = self.organisation_id

        facilitator: None | str | Unset
        if isinstance(self.facilitator, Unset):
            facilitator = UNSET
        else:
            facilitator = self.facilitator

        facilitator_user_ids: list[str] | None | Unset
        if isinstance(self.facilitator_user_ids, Unset):
            facilitator_user_ids = UNSET
        elif isinstance(self.facilitator_user_ids, list):
            facilitator_user_ids = self.facilitator_user_ids

        else:
            facilitator_user_ids = self.facilitator_user_ids

        kind: str | Unset = UNSET
        if not isinstance(self.kind, Unset):
            kind = self.kind.value

        participants: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.participants, Unset):
            participants = []
            for participants_item_data in self.participants:
                participants_item = participants_item_data.to_dict()
                participants.append(participants_item)

        referential_code = self.referential_code

        referential_version: int | None | Unset
        if isinstance(self.referential_version, Unset):
            referential_version = UNSET
        else:
            referential_version = self.referential_version

        session_date: None | str | Unset
        if isinstance(self.session_date, Unset):
            session_date = UNSET
        elif isinstance(self.session_date, datetime.date):
            session_date = self.session_date.isoformat()
        else:
            session_date = self.session_date

        title: None | str | Unset
        if isinstance(self.title, Unset):
            title = UNSET
        else:
            title = self.title

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "organisation_id": organisation_id,
            }
        )
        if facilitator is not UNSET:
            field_dict["facilitator"] = facilitator
        if facilitator_user_ids is not UNSET:
            field_dict["facilitator_user_ids"] = facilitator_user_ids
        if kind is not UNSET:
            field_dict["kind"] = kind
        if participants is not UNSET:
            field_dict["participants"] = participants
        if referential_code is not UNSET:
            field_dict["referential_code"] = referential_code
        if referential_version is not UNSET:
            field_dict["referential_version"] = referential_version
        if session_date is not UNSET:
            field_dict["session_date"] = session_date
        if title is not UNSET:
            field_dict["title"] = title

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.participant import Participant  # noqa: PLC0415

        d = dict(src_dict)
        organisation_id = d.pop("organisation_id")

        def _parse_facilitator(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        facilitator = _parse_facilitator(d.pop("facilitator", UNSET))

        def _parse_facilitator_user_ids(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                facilitator_user_ids_type_0 = cast(list[str], data)

                return facilitator_user_ids_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        facilitator_user_ids = _parse_facilitator_user_ids(d.pop("facilitator_user_ids", UNSET))

        _kind = d.pop("kind", UNSET)
        kind: DiagnosticCreateKind | Unset
        if isinstance(_kind, Unset):
            kind = UNSET
        else:
            kind = DiagnosticCreateKind(_kind)

        _participants = d.pop("participants", UNSET)
        participants: list[Participant] | Unset = UNSET
        if _participants is not UNSET:
            participants = []
            for participants_item_data in _participants:
                participants_item = Participant.from_dict(participants_item_data)

                participants.append(participants_item)

        referential_code = d.pop("referential_code", UNSET)

        def _parse_referential_version(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        referential_version = _parse_referential_version(d.pop("referential_version", UNSET))

        def _parse_session_date(data: object) -> datetime.date | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                session_date_type_0 = datetime.date.fromisoformat(data)

                return session_date_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.date | None | Unset, data)

        session_date = _parse_session_date(d.pop("session_date", UNSET))

        def _parse_title(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        title = _parse_title(d.pop("title", UNSET))

        diagnostic_create = cls(
            organisation_id=organisation_id,
            facilitator=facilitator,
            facilitator_user_ids=facilitator_user_ids,
            kind=kind,
            participants=participants,
            referential_code=referential_code,
            referential_version=referential_version,
            session_date=session_date,
            title=title,
        )

        return diagnostic_create
