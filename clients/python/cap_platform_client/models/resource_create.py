from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.resource_create_kind import ResourceCreateKind
from ..types import UNSET, Unset

T = TypeVar("T", bound="ResourceCreate")


@_attrs_define
class ResourceCreate:
    """A catalogue entry, as an admin writes it.

    Attributes:
        code (str):
        description (str):
        kind (ResourceCreateKind):
        summary (str):
        title (str):
        contact (None | str | Unset):
        criteria (list[str] | Unset):
        duration (None | str | Unset):
        published (bool | Unset):  Default: True.
        tags (list[str] | Unset):
        themes (list[str] | Unset):
        url (None | str | Unset):
    """

    code: str
    description: str
    kind: ResourceCreateKind
    summary: str
    title: str
    contact: None | str | Unset = UNSET
    criteria: list[str] | Unset = UNSET
    duration: None | str | Unset = UNSET
    published: bool | Unset = True
    tags: list[str] | Unset = UNSET
    themes: list[str] | Unset = UNSET
    url: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        code = self.code

        description = self.description

        kind = self.kind.value

        summary = self.summary

        title = self.title

        contact: None | str | Unset
        if isinstance(self.contact, Unset):
            contact = UNSET
        else:
            contact = self.contact

        criteria: list[str] | Unset = UNSET
        if not isinstance(self.criteria, Unset):
            criteria = self.criteria

        duration: None | str | Unset
        if isinstance(self.duration, Unset):
            duration = UNSET
        else:
            duration = self.duration

        published = self.published

        tags: list[str] | Unset = UNSET
        if not isinstance(self.tags, Unset):
            tags = self.tags

        themes: list[str] | Unset = UNSET
        if not isinstance(self.themes, Unset):
            themes = self.themes

        url: None | str | Unset
        if isinstance(self.url, Unset):
            url = UNSET
        else:
            url = self.url

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "code": code,
                "description": description,
                "kind": kind,
                "summary": summary,
                "title": title,
            }
        )
        if contact is not UNSET:
            field_dict["contact"] = contact
        if criteria is not UNSET:
            field_dict["criteria"] = criteria
        if duration is not UNSET:
            field_dict["duration"] = duration
        if published is not UNSET:
            field_dict["published"] = published
        if tags is not UNSET:
            field_dict["tags"] = tags
        if themes is not UNSET:
            field_dict["themes"] = themes
        if url is not UNSET:
            field_dict["url"] = url

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        code = d.pop("code")

        description = d.pop("description")

        kind = ResourceCreateKind(d.pop("kind"))

        summary = d.pop("summary")

        title = d.pop("title")

        def _parse_contact(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        contact = _parse_contact(d.pop("contact", UNSET))

        criteria = cast(list[str], d.pop("criteria", UNSET))

        def _parse_duration(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        duration = _parse_duration(d.pop("duration", UNSET))

        published = d.pop("published", UNSET)

        tags = cast(list[str], d.pop("tags", UNSET))

        themes = cast(list[str], d.pop("themes", UNSET))

        def _parse_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        url = _parse_url(d.pop("url", UNSET))

        resource_create = cls(
            code=code,
            description=description,
            kind=kind,
            summary=summary,
            title=title,
            contact=contact,
            criteria=criteria,
            duration=duration,
            published=published,
            tags=tags,
            themes=themes,
            url=url,
        )

        return resource_create
