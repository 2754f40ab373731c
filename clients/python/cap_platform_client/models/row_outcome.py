from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.row_outcome_outcome import RowOutcomeOutcome

T = TypeVar("T", bound="RowOutcome")


@_attrs_define
class RowOutcome:
    """What became (or would become) of a valid line.

    Attributes:
        line (int):
        numero (str):
        outcome (RowOutcomeOutcome):
        recognition_id (None | str):
        scheme (str):
        status (str):
    """

    line: int
    numero: str
    outcome: RowOutcomeOutcome
    recognition_id: None | str
    scheme: str
    status: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        line = self.line

        numero = self.numero

        outcome = self.outcome.value

        recognition_id: None | str
        recognition_id = self.recognition_id

        scheme = self.scheme

        status = self.status

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "line": line,
                "numero": numero,
                "outcome": outcome,
                "recognition_id": recognition_id,
                "scheme": scheme,
                "status": status,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        line = d.pop("line")

        numero = d.pop("numero")

        outcome = RowOutcomeOutcome(d.pop("outcome"))

        def _parse_recognition_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        recognition_id = _parse_recognition_id(d.pop("recognition_id"))

        scheme = d.pop("scheme")

        status = d.pop("status")

        row_outcome = cls(
            line=line,
            numero=numero,
            outcome=outcome,
            recognition_id=recognition_id,
            scheme=scheme,
            status=status,
        )

        row_outcome.additional_properties = d
        return row_outcome

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
