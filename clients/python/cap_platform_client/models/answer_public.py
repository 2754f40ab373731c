from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.answer_public_evidence_item import AnswerPublicEvidenceItem


T = TypeVar("T", bound="AnswerPublic")


@_attrs_define
class AnswerPublic:
    """A criterion's rating as stored.

    Attributes:
        carried_from (None | str):
        code (None | str):
        comment (None | str):
        criterion (str):
        evidence (list[AnswerPublicEvidenceItem]):
        id (str):
        level (int | None):
        not_applicable (bool):
        not_applicable_reason (None | str):
        updated_at (datetime.datetime):
        updated_by (str):
    """

    carried_from: None | str
    code: None | str
    comment: None | str
    criterion: str
    evidence: list[AnswerPublicEvidenceItem]
    id: str
    level: int | None
    not_applicable: bool
    not_applicable_reason: None | str
    updated_at: datetime.datetime
    updated_by: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        carried_from: None | str
        carried_from = self.carried_from

        code: None | str
        code = self.code

        comment: None | str
        comment = self.comment

        criterion = self.criterion

        evidence = []
        for evidence_item_data in self.evidence:
            evidence_item = evidence_item_data.to_dict()
            evidence.append(evidence_item)

        id = self.id

        level: int | None
        level = self.level

        not_applicable = self.not_applicable

        not_applicable_reason: None | str
        not_applicable_reason = self.not_applicable_reason

        updated_at = self.updated_at.isoformat()

        updated_by = self.updated_by

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "carried_from": carried_from,
                "code": code,
                "comment": comment,
                "criterion": criterion,
                "evidence": evidence,
                "id": id,
                "level": level,
                "not_applicable": not_applicable,
                "not_applicable_reason": not_applicable_reason,
                "updated_at": updated_at,
                "updated_by": updated_by,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.answer_public_evidence_item import AnswerPublicEvidenceItem  # noqa: PLC0415

        d = dict(src_dict)

        def _parse_carried_from(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        carried_from = _parse_carried_from(d.pop("carried_from"))

        def _parse_code(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        code = _parse_code(d.pop("code"))

        def _parse_comment(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        comment = _parse_comment(d.pop("comment"))

        criterion = d.pop("criterion")

        evidence = []
        _evidence = d.pop("evidence")
        for evidence_item_data in _evidence:
            evidence_item = AnswerPublicEvidenceItem.from_dict(evidence_item_data)

            evidence.append(evidence_item)

        id = d.pop("id")

        def _parse_level(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        level = _parse_level(d.pop("level"))

        not_applicable = d.pop("not_applicable")

        def _parse_not_applicable_reason(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        not_applicable_reason = _parse_not_applicable_reason(d.pop("not_applicable_reason"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        updated_by = d.pop("updated_by")

        answer_public = cls(
            carried_from=carried_from,
            code=code,
            comment=comment,
            criterion=criterion,
            evidence=evidence,
            id=id,
            level=level,
            not_applicable=not_applicable,
            not_applicable_reason=not_applicable_reason,
            updated_at=updated_at,
            updated_by=updated_by,
        )

        answer_public.additional_properties = d
        return answer_public

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
