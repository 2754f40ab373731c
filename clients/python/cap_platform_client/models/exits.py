from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="Exits")


@_attrs_define
class Exits:
    """Exits of employees in pathway over the period, by category (``docs/domain/domain.md`` §2.4).

    Attributes:
        autres (int | Unset):  Default: 0.
        emploi_durable (int | Unset):  Default: 0.
        emploi_transition (int | Unset):  Default: 0.
        neutralisees (int | Unset): Neutralised exits (illness, moving away...) Default: 0.
        sortie_positive (int | Unset):  Default: 0.
    """

    autres: int | Unset = 0
    emploi_durable: int | Unset = 0
    emploi_transition: int | Unset = 0
    neutralisees: int | Unset = 0
    sortie_positive: int | Unset = 0

    def to_dict(self) -> dict[str, Any]:
        autres = self.autres

        emploi_durable = self.emploi_durable

        emploi_transition = self.emploi_transition

        neutralisees = self.neutralisees

        sortie_positive = self.sortie_positive

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if autres is not UNSET:
            field_dict["autres"] = autres
        if emploi_durable is not UNSET:
            field_dict["emploi_durable"] = emploi_durable
        if emploi_transition is not UNSET:
            field_dict["emploi_transition"] = emploi_transition
        if neutralisees is not UNSET:
            field_dict["neutralisees"] = neutralisees
        if sortie_positive is not UNSET:
            field_dict["sortie_positive"] = sortie_positive

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        autres = d.pop("autres", UNSET)

        emploi_durable = d.pop("emploi_durable", UNSET)

        emploi_transition = d.pop("emploi_transition", UNSET)

        neutralisees = d.pop("neutralisees", UNSET)

        sortie_positive = d.pop("sortie_positive", UNSET)

        exits = cls(
            autres=autres,
            emploi_durable=emploi_durable,
            emploi_transition=emploi_transition,
            neutralisees=neutralisees,
            sortie_positive=sortie_positive,
        )

        return exits
