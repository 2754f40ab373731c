from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

from attrs import define as _attrs_define

from ..models.referentials_export_referential_referential_file_status import (
    ReferentialsExportReferentialReferentialFileStatus,
)
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.referentials_export_referential_referential_file_band import (
        ReferentialsExportReferentialReferentialFileBand,
    )
    from ..models.referentials_export_referential_referential_file_extends import (
        ReferentialsExportReferentialReferentialFileExtends,
    )
    from ..models.referentials_export_referential_referential_file_framework import (
        ReferentialsExportReferentialReferentialFileFramework,
    )
    from ..models.referentials_export_referential_referential_file_scale import (
        ReferentialsExportReferentialReferentialFileScale,
    )
    from ..models.referentials_export_referential_referential_file_theme import (
        ReferentialsExportReferentialReferentialFileTheme,
    )


T = TypeVar("T", bound="ReferentialsExportReferentialReferentialFile")


@_attrs_define
class ReferentialsExportReferentialReferentialFile:
    """One version of a referential, as imported and exported.

    Attributes:
        bands (list[ReferentialsExportReferentialReferentialFileBand]):
        code (str):
        default_scale (str):
        description (str):
        format_ (Literal['cap-referential/1']):
        name (str):
        published_on (datetime.date):
        urn (str):
        version (int):
        changelog (None | str | Unset):
        extends (list[ReferentialsExportReferentialReferentialFileExtends] | Unset):
        frameworks (list[ReferentialsExportReferentialReferentialFileFramework] | Unset):
        language (Literal['fr'] | Unset):  Default: 'fr'.
        scales (list[ReferentialsExportReferentialReferentialFileScale] | Unset):
        status (ReferentialsExportReferentialReferentialFileStatus | Unset): Whether the content is validated by the
            federation.
        status_note (None | str | Unset):
        themes (list[ReferentialsExportReferentialReferentialFileTheme] | Unset):
    """

    bands: list[ReferentialsExportReferentialReferentialFileBand]
    code: str
    default_scale: str
    description: str
    format_: Literal["cap-referential/1"]
    name: str
    published_on: datetime.date
    urn: str
    version: int
    changelog: None | str | Unset = UNSET
    extends: list[ReferentialsExportReferentialReferentialFileExtends] | Unset = UNSET
    frameworks: list[ReferentialsExportReferentialReferentialFileFramework] | Unset = UNSET
    language: Literal["fr"] | Unset = "fr"
    scales: list[ReferentialsExportReferentialReferentialFileScale] | Unset = UNSET
    status: ReferentialsExportReferentialReferentialFileStatus | Unset = UNSET
    status_note: None | str | Unset = UNSET
    themes: list[ReferentialsExportReferentialReferentialFileTheme] | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        bands = []
        for bands_item_data in self.bands:
            bands_item = bands_item_data.to_dict()
            bands.append(bands_item)

        code = self.code

        default_scale = self.default_scale

        description = self.description

        format_ = self.format_

        name = self.name

        published_on = self.published_on.isoformat()

        urn = self.urn

        version = self.version

        changelog: None | str | Unset
        if isinstance(self.changelog, Unset):
            changelog = UNSET
        else:
            changelog = self.changelog

        extends: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.extends, Unset):
            extends = []
            for extends_item_data in self.extends:
                extends_item = extends_item_data.to_dict()
                extends.append(extends_item)

        frameworks: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.frameworks, Unset):
            frameworks = []
            for frameworks_item_data in self.frameworks:
                frameworks_item = frameworks_item_data.to_dict()
                frameworks.append(frameworks_item)

        language = self.language

        scales: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.scales, Unset):
            scales = []
            for scales_item_data in self.scales:
                scales_item = scales_item_data.to_dict()
                scales.append(scales_item)

        status: str | Unset = UNSET
        if not isinstance(self.status, Unset):
            status = self.status.value

        status_note: None | str | Unset
        if isinstance(self.status_note, Unset):
            status_note = UNSET
        else:
            status_note = self.status_note

        themes: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.themes, Unset):
            themes = []
            for themes_item_data in self.themes:
                themes_item = themes_item_data.to_dict()
                themes.append(themes_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "bands": bands,
                "code": code,
                "default_scale": default_scale,
                "description": description,
                "format": format_,
                "name": name,
                "published_on": published_on,
                "urn": urn,
                "version": version,
            }
        )
        if changelog is not UNSET:
            field_dict["changelog"] = changelog
        if extends is not UNSET:
            field_dict["extends"] = extends
        if frameworks is not UNSET:
            field_dict["frameworks"] = frameworks
        if language is not UNSET:
            field_dict["language"] = language
        if scales is not UNSET:
            field_dict["scales"] = scales
        if status is not UNSET:
            field_dict["status"] = status
        if status_note is not UNSET:
            field_dict["status_note"] = status_note
        if themes is not UNSET:
            field_dict["themes"] = themes

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.referentials_export_referential_referential_file_band import (
            ReferentialsExportReferentialReferentialFileBand,  # noqa: PLC0415
        )
        from ..models.referentials_export_referential_referential_file_extends import (
            ReferentialsExportReferentialReferentialFileExtends,  # noqa: PLC0415
        )
        from ..models.referentials_export_referential_referential_file_framework import (
            ReferentialsExportReferentialReferentialFileFramework,  # noqa: PLC0415
        )
        from ..models.referentials_export_referential_referential_file_scale import (
            ReferentialsExportReferentialReferentialFileScale,  # noqa: PLC0415
        )
        from ..models.referentials_export_referential_referential_file_theme import (
            ReferentialsExportReferentialReferentialFileTheme,  # noqa: PLC0415
        )

        d = dict(src_dict)
        bands = []
        _bands = d.pop("bands")
        for bands_item_data in _bands:
            bands_item = ReferentialsExportReferentialReferentialFileBand.from_dict(bands_item_data)

            bands.append(bands_item)

        code = d.pop("code")

        default_scale = d.pop("default_scale")

        description = d.pop("description")

        format_ = cast(Literal["cap-referential/1"], d.pop("format"))
        if format_ != "cap-referential/1":
            raise ValueError(f"format must match const 'cap-referential/1', got '{format_}'")

        name = d.pop("name")

        published_on = datetime.date.fromisoformat(d.pop("published_on"))

        urn = d.pop("urn")

        version = d.pop("version")

        def _parse_changelog(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        changelog = _parse_changelog(d.pop("changelog", UNSET))

        _extends = d.pop("extends", UNSET)
        extends: list[ReferentialsExportReferentialReferentialFileExtends] | Unset = UNSET
        if _extends is not UNSET:
            extends = []
            for extends_item_data in _extends:
                extends_item = ReferentialsExportReferentialReferentialFileExtends.from_dict(extends_item_data)

                extends.append(extends_item)

        _frameworks = d.pop("frameworks", UNSET)
        frameworks: list[ReferentialsExportReferentialReferentialFileFramework] | Unset = UNSET
        if _frameworks is not UNSET:
            frameworks = []
            for frameworks_item_data in _frameworks:
                frameworks_item = ReferentialsExportReferentialReferentialFileFramework.from_dict(frameworks_item_data)

                frameworks.append(frameworks_item)

        language = cast(Literal["fr"] | Unset, d.pop("language", UNSET))
        if language != "fr" and not isinstance(language, Unset):
            raise ValueError(f"language must match const 'fr', got '{language}'")

        _scales = d.pop("scales", UNSET)
        scales: list[ReferentialsExportReferentialReferentialFileScale] | Unset = UNSET
        if _scales is not UNSET:
            scales = []
            for scales_item_data in _scales:
                scales_item = ReferentialsExportReferentialReferentialFileScale.from_dict(scales_item_data)

                scales.append(scales_item)

        _status = d.pop("status", UNSET)
        status: ReferentialsExportReferentialReferentialFileStatus | Unset
        if isinstance(_status, Unset):
            status = UNSET
        else:
            status = ReferentialsExportReferentialReferentialFileStatus(_status)

        def _parse_status_note(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        status_note = _parse_status_note(d.pop("status_note", UNSET))

        _themes = d.pop("themes", UNSET)
        themes: list[ReferentialsExportReferentialReferentialFileTheme] | Unset = UNSET
        if _themes is not UNSET:
            themes = []
            for themes_item_data in _themes:
                themes_item = ReferentialsExportReferentialReferentialFileTheme.from_dict(themes_item_data)

                themes.append(themes_item)

        referentials_export_referential_referential_file = cls(
            bands=bands,
            code=code,
            default_scale=default_scale,
            description=description,
            format_=format_,
            name=name,
            published_on=published_on,
            urn=urn,
            version=version,
            changelog=changelog,
            extends=extends,
            frameworks=frameworks,
            language=language,
            scales=scales,
            status=status,
            status_note=status_note,
            themes=themes,
        )

        return referentials_export_referential_referential_file
