from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="RecommendedResource")


@_attrs_define
class RecommendedResource:
    """A resource recommended for a diagnostic, with its relevance.

    Attributes:
        code (str):
        id (str):
        kind (str):
        relevance (float):
        summary (str):
        title (str):
    """

    code: str
    id: str
    kind: str
    relevance: float
    summary: str
    title: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        code = self.code

        id = self.id

        kind = self.kind

        relevance = self.relevance

        summary = self.summary

        title = self.title

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "code": code,
                "id": id,
                "kind": kind,
                "relevance": relevance,
                "summary": summary,
                "title": title,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        code = d.pop("code")

        id = d.pop("id")

        kind = d.pop("kind")

        relevance = d.pop("relevance")

        summary = d.pop("summary")

        title = d.pop("title")

        recommended_resource = cls(
            code=code,
            id=id,
            kind=kind,
            relevance=relevance,
            summary=summary,
            title=title,
        )

        recommended_resource.additional_properties = d
        return recommended_resource

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
