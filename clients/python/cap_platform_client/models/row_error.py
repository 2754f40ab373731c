from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="RowError")


@_attrs_define
class RowError:
    """Why a line is rejected (one entry per problem found).

    Attributes:
        column (None | str):
        line (int):
        numero (None | str):
        reason (str):
    """

    column: None | str
    line: int
    numero: None | str
    reason: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        column: None | str
        column = self.column

        line = self.line

        numero: None | str
        numero = self.numero

        reason = self.reason

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "column": column,
                "line": line,
                "numero": numero,
                "reason": reason,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_column(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        column = _parse_column(d.pop("column"))

        line = d.pop("line")

        def _parse_numero(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        numero = _parse_numero(d.pop("numero"))

        reason = d.pop("reason")

        row_error = cls(
            column=column,
            line=line,
            numero=numero,
            reason=reason,
        )

        row_error.additional_properties = d
        return row_error

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
