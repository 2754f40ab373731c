from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.participant import Participant


T = TypeVar("T", bound="DiagnosticUpdate")


@_attrs_define
class DiagnosticUpdate:
    """Session details, while the diagnostic is editable (an omitted field is left as it is).

    Attributes:
        facilitator (None | str | Unset):
        facilitator_user_ids (list[str] | Unset): Platform accounts (user ids) of the facilitators who ran a CAP
            session; set by an admin only (a facilitator is recorded by acting on the session)
        participants (list[Participant] | Unset):
        session_date (datetime.date | None | Unset):
        title (str | Unset):
    """

    facilitator: None | str | Unset = UNSET
    facilitator_user_ids: list[str] | Unset = UNSET
    participants: list[Participant] | Unset = UNSET
    session_date: datetime.date | None | Unset = UNSET
    title: str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        facilitator: None | str | Unset
        if isinstance(self.facilitator, Unset):
            facilitator = UNSET
        else:
            facilitator = self.facilitator

        facilitator_user_ids: list[str] | Unset = UNSET
        if not isinstance(self.facilitator_user_ids, Unset):
            facilitator_user_ids = self.facilitator_user_ids

        participants: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.participants, Unset):
            participants = []
            for participants_item_data in self.participants:
                participants_item = participants_item_data.to_dict()
                participants.append(participants_item)

        session_date: None | str | Unset
        if isinstance(self.session_date, Unset):
            session_date = UNSET
        elif isinstance(self.session_date, datetime.date):
            session_date = self.session_date.isoformat()
        else:
            session_date = self.session_date

        title = self.title

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if facilitator is not UNSET:
            field_dict["facilitator"] = facilitator
        if facilitator_user_ids is not UNSET:
            field_dict["facilitator_user_ids"] = facilitator_user_ids
        if participants is not UNSET:
            field_dict["participants"] = participants
        if session_date is not UNSET:
            field_dict["session_date"] = session_date
        if title is not UNSET:
            field_dict["title"] = title

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.participant import Participant  # noqa: PLC0415

        d = dict(src_dict)

        def _parse_facilitator(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        facilitator = _parse_facilitator(d.pop("facilitator", UNSET))

        facilitator_user_ids = cast(list[str], d.pop("facilitator_user_ids", UNSET))

        _participants = d.pop("participants", UNSET)
        participants: list[Participant] | Unset = UNSET
        if _participants is not UNSET:
            participants = []
            for participants_item_data in _participants:
                participants_item = Participant.from_dict(participants_item_data)

                participants.append(participants_item)

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

        title = d.pop("title", UNSET)

        diagnostic_update = cls(
            facilitator=facilitator,
            facilitator_user_ids=facilitator_user_ids,
            participants=participants,
            session_date=session_date,
            title=title,
        )

        return diagnostic_update
