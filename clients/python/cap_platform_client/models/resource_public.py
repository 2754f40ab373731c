from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ResourcePublic")


@_attrs_define
class ResourcePublic:
    """A catalogue entry (``rank``: its relevance when searched by words).

    Attributes:
        code (str):
        contact (None | str):
        criteria (list[str]):
        description (str):
        duration (None | str):
        id (str):
        kind (str):
        published (bool):
        summary (str):
        tags (list[str]):
        themes (list[str]):
        title (str):
        url (None | str):
        rank (float | None | Unset):
    """

    code: str
    contact: None | str
    criteria: list[str]
    description: str
    duration: None | str
    id: str
    kind: str
    published: bool
    summary: str
    tags: list[str]
    themes: list[str]
    title: str
    url: None | str
    rank: float | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        code = self.code

        contact: None | str
        contact = self.contact

        criteria = self.criteria

        description = self.description

        duration: None | str
        duration = self.duration

        id = self.id

        kind = self.kind

        published = self.published

        summary = self.summary

        tags = self.tags

        themes = self.themes

        title = self.title

        url: None | str
        url = self.url

        rank: float | None | Unset
        if isinstance(self.rank, Unset):
            rank = UNSET
        else:
            rank = self.rank

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "code": code,
                "contact": contact,
                "criteria": criteria,
                "description": description,
                "duration": duration,
                "id": id,
                "kind": kind,
                "published": published,
                "summary": summary,
                "tags": tags,
                "themes": themes,
                "title": title,
                "url": url,
            }
        )
        if rank is not UNSET:
            field_dict["rank"] = rank

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        code = d.pop("code")

        def _parse_contact(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        contact = _parse_contact(d.pop("contact"))

        criteria = cast(list[str], d.pop("criteria"))

        description = d.pop("description")

        def _parse_duration(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        duration = _parse_duration(d.pop("duration"))

        id = d.pop("id")

        kind = d.pop("kind")

        published = d.pop("published")

        summary = d.pop("summary")

        tags = cast(list[str], d.pop("tags"))

        themes = cast(list[str], d.pop("themes"))

        title = d.pop("title")

        def _parse_url(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        url = _parse_url(d.pop("url"))

        def _parse_rank(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        rank = _parse_rank(d.pop("rank", UNSET))

        resource_public = cls(
            code=code,
            contact=contact,
            criteria=criteria,
            description=description,
            duration=duration,
            id=id,
            kind=kind,
            published=published,
            summary=summary,
            tags=tags,
            themes=themes,
            title=title,
            url=url,
            rank=rank,
        )

        resource_public.additional_properties = d
        return resource_public

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
