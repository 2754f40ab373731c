from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.application_create_scheme import ApplicationCreateScheme
from ..types import UNSET, Unset

T = TypeVar("T", bound="ApplicationCreate")


@_attrs_define
class ApplicationCreate:
    """An application: the applicant, the structures invited to its group, the scheme.

    Attributes:
        certification_body_id (str):
        organisation_id (str): The applicant (a group's central function)
        scheme (ApplicationCreateScheme):
        group_member_ids (list[str] | Unset): Structures invited to join the group: each joins when its member_admin
            accepts
        motivation (None | str | Unset):
    """

    certification_body_id: str
    organisation_id: str
    scheme: ApplicationCreateScheme
    group_member_ids: list[str] | Unset = UNSET
    motivation: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        certification_body_id = self.certification_body_id

        organisation_id = self.organisation_id

        scheme = self.scheme.value

        group_member_ids: list[str] | Unset = UNSET
        if not isinstance(self.group_member_ids, Unset):
            group_member_ids = self.group_member_ids

        motivation: None | str | Unset
        if isinstance(self.motivation, Unset):
            motivation = UNSET
        else:
            motivation = self.motivation

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "certification_body_id": certification_body_id,
                "organisation_id": organisation_id,
                "scheme": scheme,
            }
        )
        if group_member_ids is not UNSET:
            field_dict["group_member_ids"] = group_member_ids
        if motivation is not UNSET:
            field_dict["motivation"] = motivation

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        certification_body_id = d.pop("certification_body_id")

        organisation_id = d.pop("organisation_id")

        scheme = ApplicationCreateScheme(d.pop("scheme"))

        group_member_ids = cast(list[str], d.pop("group_member_ids", UNSET))

        def _parse_motivation(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        motivation = _parse_motivation(d.pop("motivation", UNSET))

        application_create = cls(
            certification_body_id=certification_body_id,
            organisation_id=organisation_id,
            scheme=scheme,
            group_member_ids=group_member_ids,
            motivation=motivation,
        )

        return application_create
