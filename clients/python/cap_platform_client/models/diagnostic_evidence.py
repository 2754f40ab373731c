from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="DiagnosticEvidence")


@_attrs_define
class DiagnosticEvidence:
    """A link to a document or record that supports a rating.

    Attributes:
        title (str):
        url (None | str | Unset):
    """

    title: str
    url: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        title = self.title

        url: None | str | Unset
        if isinstance(self.url, Unset):
            url = UNSET
        else:
            url = self.url

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "title": title,
            }
        )
        if url is not UNSET:
            field_dict["url"] = url

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        title = d.pop("title")

        def _parse_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        url = _parse_url(d.pop("url", UNSET))

        diagnostic_evidence = cls(
            title=title,
            url=url,
        )

        return diagnostic_evidence
