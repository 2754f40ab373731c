from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..models.diagnostic_migration_strategy import DiagnosticMigrationStrategy

T = TypeVar("T", bound="DiagnosticMigration")


@_attrs_define
class DiagnosticMigration:
    """Move a running diagnostic to another version of its referential.

    Attributes:
        strategy (DiagnosticMigrationStrategy): For criteria whose scale changed: keep the level (clamped to the new
            scale), reset it (to rate again), or rescale it proportionally
        version (int):
    """

    strategy: DiagnosticMigrationStrategy
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
        strategy = DiagnosticMigrationStrategy(d.pop("strategy"))

        version = d.pop("version")

        diagnostic_migration = cls(
            strategy=strategy,
            version=version,
        )

        return diagnostic_migration
