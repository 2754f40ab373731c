from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="LevelRulePublic")


@_attrs_define
class LevelRulePublic:
    """A referential version's stored rule (its latest revision), summarised.

    Attributes:
        imported_at (datetime.datetime):
        imported_by (str):
        label_from (None | str):
        labels (list[str]):
        levels (list[str]):
        referential_code (str):
        referential_version (int):
        revision (int):
        rule (str):
        sha256 (str):
        source (str):
    """

    imported_at: datetime.datetime
    imported_by: str
    label_from: None | str
    labels: list[str]
    levels: list[str]
    referential_code: str
    referential_version: int
    revision: int
    rule: str
    sha256: str
    source: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        imported_at = self.imported_at.isoformat()

        imported_by = self.imported_by

        label_from: None | str
        label_from = self.label_from

        labels = self.labels

        levels = self.levels

        referential_code = self.referential_code

        referential_version = self.referential_version

        revision = self.revision

        rule = self.rule

        sha256 = self.sha256

        source = self.source

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "imported_at": imported_at,
                "imported_by": imported_by,
                "label_from": label_from,
                "labels": labels,
                "levels": levels,
                "referential_code": referential_code,
                "referential_version": referential_version,
                "revision": revision,
                "rule": rule,
                "sha256": sha256,
                "source": source,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        imported_at = datetime.datetime.fromisoformat(d.pop("imported_at"))

        imported_by = d.pop("imported_by")

        def _parse_label_from(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        label_from = _parse_label_from(d.pop("label_from"))

        labels = cast(list[str], d.pop("labels"))

        levels = cast(list[str], d.pop("levels"))

        referential_code = d.pop("referential_code")

        referential_version = d.pop("referential_version")

        revision = d.pop("revision")

        rule = d.pop("rule")

        sha256 = d.pop("sha256")

        source = d.pop("source")

        level_rule_public = cls(
            imported_at=imported_at,
            imported_by=imported_by,
            label_from=label_from,
            labels=labels,
            levels=levels,
            referential_code=referential_code,
            referential_version=referential_version,
            revision=revision,
            rule=rule,
            sha256=sha256,
            source=source,
        )

        level_rule_public.additional_properties = d
        return level_rule_public

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
