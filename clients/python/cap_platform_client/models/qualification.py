from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..models.qualification_scheme import QualificationScheme

T = TypeVar("T", bound="Qualification")


@_attrs_define
class Qualification:
    """An auditor's qualification for a scheme, valid between two dates.

    Attributes:
        scheme (QualificationScheme):
        valid_from (datetime.date):
        valid_until (datetime.date):
    """

    scheme: QualificationScheme
    valid_from: datetime.date
    valid_until: datetime.date

    def to_dict(self) -> dict[str, Any]:
        scheme = self.scheme.value

        valid_from = self.valid_from.isoformat()

        valid_until = self.valid_until.isoformat()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "scheme": scheme,
                "valid_from": valid_from,
                "valid_until": valid_until,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        scheme = QualificationScheme(d.pop("scheme"))

        valid_from = datetime.date.fromisoformat(d.pop("valid_from"))

        valid_until = datetime.date.fromisoformat(d.pop("valid_until"))

        qualification = cls(
            scheme=scheme,
            valid_from=valid_from,
            valid_until=valid_until,
        )

        return qualification
