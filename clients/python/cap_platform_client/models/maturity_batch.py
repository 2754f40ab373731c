from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.maturity_level import MaturityLevel


T = TypeVar("T", bound="MaturityBatch")


@_attrs_define
class MaturityBatch:
    """Evaluated maturity levels of an audit.

    Attributes:
        levels (list[MaturityLevel]):
    """

    levels: list[MaturityLevel]

    def to_dict(self) -> dict[str, Any]:
        levels = []
        for levels_item_data in self.levels:
            levels_item = levels_item_data.to_dict()
            levels.append(levels_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "levels": levels,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.maturity_level import MaturityLevel  # noqa: PLC0415

        d = dict(src_dict)
        levels = []
        _levels = d.pop("levels")
        for levels_item_data in _levels:
            levels_item = MaturityLevel.from_dict(levels_item_data)

            levels.append(levels_item)

        maturity_batch = cls(
            levels=levels,
        )

        return maturity_batch
