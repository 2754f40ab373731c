from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..models.migrate_in_strategy import MigrateInStrategy

T = TypeVar("T", bound="MigrateIn")


@_attrs_define
class MigrateIn:
    """Move a running diagnostic to another version of its referential.

    Attributes:
        strategy (MigrateInStrategy): For criteria whose scale changed: keep the level (clamped to the new scale), reset
            it (to rate again), or rescale it proportionally
        version (int):
    """

    strategy: MigrateInStrategy
    version: int

    def to_dict(self) -> dict[str, Any]:
        strategy = self.strategy.value

        version = self.version

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "strategy": strategy,
                "version": version,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        strategy = MigrateInStrategy(d.pop("strategy"))

        version = d.pop("version")

        migrate_in = cls(
            strategy=strategy,
            version=version,
        )

        return migrate_in
