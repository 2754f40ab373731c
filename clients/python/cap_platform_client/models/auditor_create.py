from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.qualification import Qualification


T = TypeVar("T", bound="AuditorCreate")


@_attrs_define
class AuditorCreate:
    """An auditor of a body to register.

    Attributes:
        certification_body_id (str):
        name (str):
        email (None | str | Unset):
        planner (bool | Unset): Plans the body's audits: told of every audit requested from the body (with a platform
            account); other auditors hear only of the audits they are assigned to Default: False.
        qualifications (list[Qualification] | Unset):
        user_id (None | str | Unset): The person's platform account
    """

    certification_body_id: str
    name: str
    email: None | str | Unset = UNSET
    planner: bool | Unset = False
    qualifications: list[Qualification] | Unset = UNSET
    user_id: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        certification_body_id = self.certification_body_id

        name = self.name

        email: None | str | Unset
        if isinstance(self.email, Unset):
            email = UNSET
        else:
            email = self.email

        planner = self.planner

        qualifications: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.qualifications, Unset):
            qualifications = []
            for qualifications_item_data in self.qualifications:
                qualifications_item = qualifications_item_data.to_dict()
                qualifications.append(qualifications_item)

        user_id: None | str | Unset
        if isinstance(self.user_id, Unset):
            user_id = UNSET
        else:
            user_id = self.user_id

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "certification_body_id": certification_body_id,
                "name": name,
            }
        )
        if email is not UNSET:
            field_dict["email"] = email
        if planner is not UNSET:
            field_dict["planner"] = planner
        if qualifications is not UNSET:
            field_dict["qualifications"] = qualifications
        if user_id is not UNSET:
            field_dict["user_id"] = user_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.qualification import Qualification  # noqa: PLC0415

        d = dict(src_dict)
        certification_body_id = d.pop("certification_body_id")

        name = d.pop("name")

        def _parse_email(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        email = _parse_email(d.pop("email", UNSET))

        planner = d.pop("planner", UNSET)

        _qualifications = d.pop("qualifications", UNSET)
        qualifications: list[Qualification] | Unset = UNSET
        if _qualifications is not UNSET:
            qualifications = []
            for qualifications_item_data in _qualifications:
                qualifications_item = Qualification.from_dict(qualifications_item_data)

                qualifications.append(qualifications_item)

        def _parse_user_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        user_id = _parse_user_id(d.pop("user_id", UNSET))

        auditor_create = cls(
            certification_body_id=certification_body_id,
            name=name,
            email=email,
            planner=planner,
            qualifications=qualifications,
            user_id=user_id,
        )

        return auditor_create
