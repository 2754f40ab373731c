from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.referential_imported_changes_type_0 import ReferentialImportedChangesType0
    from ..models.referential_imported_extends_item import ReferentialImportedExtendsItem


T = TypeVar("T", bound="ReferentialImported")


@_attrs_define
class ReferentialImported:
    """An import's result: the version and what it changed against the previous one.

    Attributes:
        changes (None | ReferentialImportedChangesType0):
        code (str):
        criteria_count (int):
        extends (list[ReferentialImportedExtendsItem]):
        id (str):
        imported_at (datetime.datetime):
        name (str):
        published_at (datetime.datetime | None):
        published_by (None | str):
        published_on (datetime.date):
        status (str):
        urn (str):
        version (int):
    """

    changes: None | ReferentialImportedChangesType0
    code: str
    criteria_count: int
    extends: list[ReferentialImportedExtendsItem]
    id: str
    imported_at: datetime.datetime
    name: str
    published_at: datetime.datetime | None
    published_by: None | str
    published_on: datetime.date
    status: str
    urn: str
    version: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.referential_imported_changes_type_0 import ReferentialImportedChangesType0  # noqa: PLC0415

        changes: dict[str, Any] | None
        if isinstance(self.changes, ReferentialImportedChangesType0):
            changes = self.changes.to_dict()
        else:
            changes = self.changes

        code = self.code

        criteria_count = self.criteria_count

        extends = []
        for extends_item_data in self.extends:
            extends_item = extends_item_data.to_dict()
            extends.append(extends_item)

        id = self.id

        imported_at = self.imported_at.isoformat()

        name = self.name

        published_at: None | str
        if isinstance(self.published_at, datetime.datetime):
            published_at = self.published_at.isoformat()
        else:
            published_at = self.published_at

        published_by: None | str
        published_by = self.published_by

        published_on = self.published_on.isoformat()

        status = self.status

        urn = self.urn

        version = self.version

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "changes": changes,
                "code": code,
                "criteria_count": criteria_count,
                "extends": extends,
                "id": id,
                "imported_at": imported_at,
                "name": name,
                "published_at": published_at,
                "published_by": published_by,
                "published_on": published_on,
                "status": status,
                "urn": urn,
                "version": version,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.referential_imported_changes_type_0 import ReferentialImportedChangesType0  # noqa: PLC0415
        from ..models.referential_imported_extends_item import ReferentialImportedExtendsItem  # noqa: PLC0415

        d = dict(src_dict)

        def _parse_changes(data: object) -> None | ReferentialImportedChangesType0:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                changes_type_0 = ReferentialImportedChangesType0.from_dict(data)

                return changes_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | ReferentialImportedChangesType0, data)

        changes = _parse_changes(d.pop("changes"))

        code = d.pop("code")

        criteria_count = d.pop("criteria_count")

        extends = []
        _extends = d.pop("extends")
        for extends_item_data in _extends:
            extends_item = ReferentialImportedExtendsItem.from_dict(extends_item_data)

            extends.append(extends_item)

        id = d.pop("id")

        imported_at = datetime.datetime.fromisoformat(d.pop("imported_at"))

        name = d.pop("name")

        def _parse_published_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                published_at_type_0 = datetime.datetime.fromisoformat(data)

                return published_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        published_at = _parse_published_at(d.pop("published_at"))

        def _parse_published_by(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        published_by = _parse_published_by(d.pop("published_by"))

        published_on = datetime.date.fromisoformat(d.pop("published_on"))

        status = d.pop("status")

        urn = d.pop("urn")

        version = d.pop("version")

        referential_imported = cls(
            changes=changes,
            code=code,
            criteria_count=criteria_count,
            extends=extends,
            id=id,
            imported_at=imported_at,
            name=name,
            published_at=published_at,
            published_by=published_by,
            published_on=published_on,
            status=status,
            urn=urn,
            version=version,
        )

        referential_imported.additional_properties = d
        return referential_imported

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
