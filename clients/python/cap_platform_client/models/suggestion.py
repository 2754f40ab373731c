from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.suggestion_evidence_item import SuggestionEvidenceItem


T = TypeVar("T", bound="Suggestion")


@_attrs_define
class Suggestion:
    """An answer from an earlier diagnostic on a shared criterion, offered for reuse.

    Attributes:
        code (str):
        comment (None | str):
        completed_at (datetime.datetime | None):
        criterion (str):
        evidence (list[SuggestionEvidenceItem]):
        from_diagnostic (str):
        from_referential (str):
        level (int | None):
        not_applicable (bool):
        not_applicable_reason (None | str):
    """

    code: str
    comment: None | str
    completed_at: datetime.datetime | None
    criterion: str
    evidence: list[SuggestionEvidenceItem]
    from_diagnostic: str
    from_referential: str
    level: int | None
    not_applicable: bool
    not_applicable_reason: None | str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        code = self.code

        comment: None | str
        comment = self.comment

        completed_at: None | str
        if isinstance(self.completed_at, datetime.datetime):
            completed_at = self.completed_at.isoformat()
        else:
            completed_at = self.completed_at

        criterion = self.criterion

        evidence = []
        for evidence_item_data in self.evidence:
            evidence_item = evidence_item_data.to_dict()
            evidence.append(evidence_item)

        from_diagnostic = self.from_diagnostic

        from_referential = self.from_referential

        level: int | None
        level = self.level

        not_applicable = self.not_applicable

        not_applicable_reason: None | str
        not_applicable_reason = self.not_applicable_reason

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "code": code,
                "comment": comment,
                "completed_at": completed_at,
                "criterion": criterion,
                "evidence": evidence,
                "from_diagnostic": from_diagnostic,
                "from_referential": from_referential,
                "level": level,
                "not_applicable": not_applicable,
                "not_applicable_reason": not_applicable_reason,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.suggestion_evidence_item import SuggestionEvidenceItem  # noqa: PLC0415

        d = dict(src_dict)
        code = d.pop("code")

        def _parse_comment(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        comment = _parse_comment(d.pop("comment"))

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

        criterion = d.pop("criterion")

        evidence = []
        _evidence = d.pop("evidence")
        for evidence_item_data in _evidence:
            evidence_item = SuggestionEvidenceItem.from_dict(evidence_item_data)

            evidence.append(evidence_item)

        from_diagnostic = d.pop("from_diagnostic")

        from_referential = d.pop("from_referential")

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

        suggestion = cls(
            code=code,
            comment=comment,
            completed_at=completed_at,
            criterion=criterion,
            evidence=evidence,
            from_diagnostic=from_diagnostic,
            from_referential=from_referential,
            level=level,
            not_applicable=not_applicable,
            not_applicable_reason=not_applicable_reason,
        )

        suggestion.additional_properties = d
        return suggestion

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
