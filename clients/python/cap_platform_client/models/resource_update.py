from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.resource_update_kind import ResourceUpdateKind
from ..types import UNSET, Unset

T = TypeVar("T", bound="ResourceUpdate")


@_attrs_define
class ResourceUpdate:
    """Fields of a catalogue entry to change (an omitted field is left as it is; url, contact
    and duration are cleared with null).

        Attributes:
            contact (None | str | Unset):
            criteria (list[str] | Unset):
            description (str | Unset):
            duration (None | str | Unset):
            kind (ResourceUpdateKind | Unset):
            published (bool | Unset):
            summary (str | Unset):
            tags (list[str] | Unset):
            themes (list[str] | Unset):
            title (str | Unset):
            url (None | str | Unset):
    """

    contact: None | str | Unset = UNSET
    criteria: list[str] | Unset = UNSET
    description: str | Unset = UNSET
    duration: None | str | Unset = UNSET
    kind: ResourceUpdateKind | Unset = UNSET
    published: bool | Unset = UNSET
    summary: str | Unset = UNSET
    tags: list[str] | Unset = UNSET
    themes: list[str] | Unset = UNSET
    title: str | Unset = UNSET
    url: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        contact: None | str | Unset
        if isinstance(self.contact, Unset):
            contact = UNSET
        else:
            contact = self.contact

        criteria: list[str] | Unset = UNSET
        if not isinstance(self.criteria, Unset):
            criteria = self.criteria

        description = self.description

        duration: None | str | Unset
        if isinstance(self.duration, Unset):
            duration = UNSET
        else:
            duration = self.duration

        kind: str | Unset = UNSET
        if not isinstance(self.kind, Unset):
            kind = self.kind.value

        published = self.published

        summary = self.summary

        tags: list[str] | Unset = UNSET
        if not isinstance(self.tags, Unset):
            tags = self.tags

        themes: list[str] | Unset = UNSET
        if not isinstance(self.themes, Unset):
            themes = self.themes

        title = self.title

        url: None | str | Unset
        if isinstance(self.url, Unset):
            url = UNSET
        else:
            url = self.url

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if contact is not UNSET:
            field_dict["contact"] = contact
        if criteria is not UNSET:
            field_dict["criteria"] = criteria
        if description is not UNSET:
            field_dict["description"] = description
        if duration is not UNSET:
            field_dict["duration"] = duration
        if kind is not UNSET:
            field_dict["kind"] = kind
        if published is not UNSET:
            field_dict["published"] = published
        if summary is not UNSET:
            field_dict["summary"] = summary
        if tags is not UNSET:
            field_dict["tags"] = tags
        if themes is not UNSET:
            field_dict["themes"] = themes
        if title is not UNSET:
            field_dict["title"] = title
        if url is not UNSET:
            field_dict["url"] = url

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_contact(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        contact = _parse_contact(d.pop("contact", UNSET))

        criteria = cast(list[str], d.pop("criteria", UNSET))

        description = d.pop("description", UNSET)

        def _parse_duration(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        duration = _parse_duration(d.pop("duration", UNSET))

        _kind = d.pop("kind", UNSET)
        kind: ResourceUpdateKind | Unset
        if isinstance(_kind, Unset):
            kind = UNSET
        else:
            kind = ResourceUpdateKind(_kind)

        published = d.pop("published", UNSET)

        summary = d.pop("summary", UNSET)

        tags = cast(list[str], d.pop("tags", UNSET))

        themes = cast(list[str], d.pop("themes", UNSET))

        title = d.pop("title", UNSET)

        def _parse_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        url = _parse_url(d.pop("url", UNSET))

        resource_update = cls(
            contact=contact,
            criteria=criteria,
            description=description,
            duration=duration,
            kind=kind,
            published=published,
            summary=summary,
            tags=tags,
            themes=themes,
            title=title,
            url=url,
        )

        return resource_update
