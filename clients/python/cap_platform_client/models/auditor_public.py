from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.auditor_public_qualifications_item import AuditorPublicQualificationsItem


T = TypeVar("T", bound="AuditorPublic")


@_attrs_define
class AuditorPublic:
    """An auditor of a body, with qualifications.

    Attributes:
        active (bool):
        certification_body_id (str):
        email (None | str):
        id (str):
        name (str):
        planner (bool):
        qualifications (list[AuditorPublicQualificationsItem]):
        user_id (None | str):
    """

    active: bool
    certification_body_id: str
    email: None | str
    id: str
    name: str
    planner: bool
    qualifications: list[AuditorPublicQualificationsItem]
    user_id: None | str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        active = self.active

        certification_body_id = self.certification_body_id

        email: None | str
        email = self.email

        id = self.id

        name = self.name

        planner = self.planner

        qualifications = []
        for qualifications_item_data in self.qualifications:
            qualifications_item = qualifications_item_data.to_dict()
            qualifications.append(qualifications_item)

        user_id: None | str
        user_id = self.user_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "active": active,
                "certification_body_id": certification_body_id,
                "email": email,
                "id": id,
                "name": name,
                "planner": planner,
                "qualifications": qualifications,
                "user_id": user_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.auditor_public_qualifications_item import AuditorPublicQualificationsItem  # noqa: PLC0415

        d = dict(src_dict)
        active = d.pop("active")

        certification_body_id = d.pop("certification_body_id")

        def _parse_email(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        email = _parse_email(d.pop("email"))

        id = d.pop("id")

        name = d.pop("name")

        planner = d.pop("planner")

        qualifications = []
        _qualifications = d.pop("qualifications")
        for qualifications_item_data in _qualifications:
            qualifications_item = AuditorPublicQualificationsItem.from_dict(qualifications_item_data)

            qualifications.append(qualifications_item)

        def _parse_user_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        user_id = _parse_user_id(d.pop("user_id"))

        auditor_public = cls(
            active=active,
            certification_body_id=certification_body_id,
            email=email,
            id=id,
            name=name,
            planner=planner,
            qualifications=qualifications,
            user_id=user_id,
        )

        auditor_public.additional_properties = d
        return auditor_public

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
