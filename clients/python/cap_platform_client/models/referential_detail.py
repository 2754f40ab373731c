from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.referential_detail_bands_item import ReferentialDetailBandsItem
    from ..models.referential_detail_changes_type_0 import ReferentialDetailChangesType0
    from ..models.referential_detail_extends_item import ReferentialDetailExtendsItem
    from ..models.referential_detail_frameworks_item import ReferentialDetailFrameworksItem
    from ..models.theme_public import ThemePublic


T = TypeVar("T", bound="ReferentialDetail")


@_attrs_define
class ReferentialDetail:
    """A version with its resolved themes and criteria (the reused ones included).

    Attributes:
        bands (list[ReferentialDetailBandsItem]):
        changes (None | ReferentialDetailChangesType0):
        code (str):
        criteria_count (int):
        description (str):
        extends (list[ReferentialDetailExtendsItem]):
        frameworks (list[ReferentialDetailFrameworksItem]):
        id (str):
        imported_at (datetime.datetime):
        name (str):
        published_at (datetime.datetime | None):
        published_by (None | str):
        published_on (datetime.date):
        status (str):
        status_note (None | str):
        themes (list[ThemePublic]):
        urn (str):
        version (int):
    """

    bands: list[ReferentialDetailBandsItem]
    changes: None | ReferentialDetailChangesType0
    code: str
    criteria_count: int
    description: str
    extends: list[ReferentialDetailExtendsItem]
    frameworks: list[ReferentialDetailFrameworksItem]
    id: str
    imported_at: datetime.datetime
    name: str
    published_at: datetime.datetime | None
    published_by: None | str
    published_on: datetime.date
    status: str
    status_note: None | str
    themes: list[ThemePublic]
    urn: str
    version: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.referential_detail_changes_type_0 import ReferentialDetailChangesType0  # noqa: PLC0415

        bands = []
        for bands_item_data in self.bands:
            bands_item = bands_item_data.to_dict()
            bands.append(bands_item)

        changes: dict[str, Any] | None
        if isinstance(self.changes, ReferentialDetailChangesType0):
            changes = self.changes.to_dict()
        else:
            changes = self.changes

        code = self.code

        criteria_count = self.criteria_count

        description = self.description

        extends = []
        for extends_item_data in self.extends:
            extends_item = extends_item_data.to_dict()
            extends.append(extends_item)

        frameworks = []
        for frameworks_item_data in self.frameworks:
            frameworks_item = frameworks_item_data.to_dict()
            frameworks.append(frameworks_item)

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

        status_note: None | str
        status_note = self.status_note

        themes = []
        for themes_item_data in self.themes:
            themes_item = themes_item_data.to_dict()
            themes.append(themes_item)

        urn = self.urn

        version = self.version

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "bands": bands,
                "changes": changes,
                "code": code,
                "criteria_count": criteria_count,
                "description": description,
                "extends": extends,
                "frameworks": frameworks,
                "id": id,
                "imported_at": imported_at,
                "name": name,
                "published_at": published_at,
                "published_by": published_by,
                "published_on": published_on,
                "status": status,
                "status_note": status_note,
                "themes": themes,
                "urn": urn,
                "version": version,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.referential_detail_bands_item import ReferentialDetailBandsItem  # noqa: PLC0415
        from ..models.referential_detail_changes_type_0 import ReferentialDetailChangesType0  # noqa: PLC0415
        from ..models.referential_detail_extends_item import ReferentialDetailExtendsItem  # noqa: PLC0415
        from ..models.referential_detail_frameworks_item import ReferentialDetailFrameworksItem  # noqa: PLC0415
        from ..models.theme_public import ThemePublic  # noqa: PLC0415

        d = dict(src_dict)
        bands = []
        _bands = d.pop("bands")
        for bands_item_data in _bands:
            bands_item = ReferentialDetailBandsItem.from_dict(bands_item_data)

            bands.append(bands_item)

        def _parse_changes(data: object) -> None | ReferentialDetailChangesType0:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                changes_type_0 = ReferentialDetailChangesType0.from_dict(data)

                return changes_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | ReferentialDetailChangesType0, data)

        changes = _parse_changes(d.pop("changes"))

        code = d.pop("code")

        criteria_count = d.pop("criteria_count")

        description = d.pop("description")

        extends = []
        _extends = d.pop("extends")
        for extends_item_data in _extends:
            extends_item = ReferentialDetailExtendsItem.from_dict(extends_item_data)

            extends.append(extends_item)

        frameworks = []
        _frameworks = d.pop("frameworks")
        for frameworks_item_data in _frameworks:
            frameworks_item = ReferentialDetailFrameworksItem.from_dict(frameworks_item_data)

            frameworks.append(frameworks_item)

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

        def _parse_status_note(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        status_note = _parse_status_note(d.pop("status_note"))

        themes = []
        _themes = d.pop("themes")
        for themes_item_data in _themes:
            themes_item = ThemePublic.from_dict(themes_item_data)

            themes.append(themes_item)

        urn = d.pop("urn")

        version = d.pop("version")

        referential_detail = cls(
            bands=bands,
            changes=changes,
            code=code,
            criteria_count=criteria_count,
            description=description,
            extends=extends,
            frameworks=frameworks,
            id=id,
            imported_at=imported_at,
            name=name,
            published_at=published_at,
            published_by=published_by,
            published_on=published_on,
            status=status,
            status_note=status_note,
            themes=themes,
            urn=urn,
            version=version,
        )

        referential_detail.additional_properties = d
        return referential_detail

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
