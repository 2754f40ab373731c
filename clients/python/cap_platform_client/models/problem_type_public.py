from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ProblemTypePublic")


@_attrs_define
class ProblemTypePublic:
    """A problem type of the catalogue: what a problem whose ``type`` is ``type`` means.

    Attributes:
        code (str): The stable short code (the last segment of `type`)
        description (str): What it means
        operations (list[str]): The operation ids that may answer it
        status (int): The HTTP status it is answered with
        title (str): Its title in English
        title_fr (str): Its title in French (`Accept-Language: fr`)
        type_ (str): The `type` member of its problems
        statuses (list[int] | None | Unset): Every status, when it is answered with more than one
    """

    code: str
    description: str
    operations: list[str]
    status: int
    title: str
    title_fr: str
    type_: str
    statuses: list[int] | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        code = self.code

        description = self.description

        operations = self.operations

        status = self.status

        title = self.title

        title_fr = self.title_fr

        type_ = self.type_

        statuses: list[int] | None | Unset
        if isinstance(self.statuses, Unset):
            statuses = UNSET
        elif isinstance(self.statuses, list):
            statuses = self.statuses

        else:
            statuses = self.statuses

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "code": code,
                "description": description,
                "operations": operations,
                "status": status,
                "title": title,
                "title_fr": title_fr,
                "type": type_,
            }
        )
        if statuses is not UNSET:
            field_dict["statuses"] = statuses

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        code = d.pop("code")

        description = d.pop("description")

        operations = cast(list[str], d.pop("operations"))

        status = d.pop("status")

        title = d.pop("title")

        title_fr = d.pop("title_fr")

        type_ = d.pop("type")

        def _parse_statuses(data: object) -> list[int] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                statuses_type_0 = cast(list[int], data)

                return statuses_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[int] | None | Unset, data)

        statuses = _parse_statuses(d.pop("statuses", UNSET))

        problem_type_public = cls(
            code=code,
            description=description,
            operations=operations,
            status=status,
            title=title,
            title_fr=title_fr,
            type_=type_,
            statuses=statuses,
        )

        problem_type_public.additional_properties = d
        return problem_type_public

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
