from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.application_public_eligibility import ApplicationPublicEligibility
    from ..models.group_member_public import GroupMemberPublic


T = TypeVar("T", bound="ApplicationPublic")


@_attrs_define
class ApplicationPublic:
    """An application as the caller may see it.

    Attributes:
        certification_body_id (str):
        decided_by (None | str):
        eligibility (ApplicationPublicEligibility):
        group_member_ids (list[str]):
        id (str):
        motivation (None | str):
        organisation_id (str):
        reason (None | str):
        scheme (str):
        status (str):
        submitted_by (str):
        invitations (list[GroupMemberPublic] | Unset):
    """

    certification_body_id: str
    decided_by: None | str
    eligibility: ApplicationPublicEligibility
    group_member_ids: list[str]
    id: str
    motivation: None | str
    organisation_id: str
    reason: None | str
    scheme: str
    status: str
    submitted_by: str
    invitations: list[GroupMemberPublic] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        certification_body_id = self.certification_body_id

        decided_by: None | str
        decided_by = self.decided_by

        eligibility = self.eligibility.to_dict()

        group_member_ids = self.group_member_ids

        id = self.id

        motivation: None | str
        motivation = self.motivation

        organisation_id = self.organisation_id

        reason: None | str
        reason = self.reason

        scheme = self.scheme

        status = self.status

        submitted_by = self.submitted_by

        invitations: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.invitations, Unset):
            invitations = []
            for invitations_item_data in self.invitations:
                invitations_item = invitations_item_data.to_dict()
                invitations.append(invitations_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "certification_body_id": certification_body_id,
                "decided_by": decided_by,
                "eligibility": eligibility,
                "group_member_ids": group_member_ids,
                "id": id,
                "motivation": motivation,
                "organisation_id": organisation_id,
                "reason": reason,
                "scheme": scheme,
                "status": status,
                "submitted_by": submitted_by,
            }
        )
        if invitations is not UNSET:
            field_dict["invitations"] = invitations

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.application_public_eligibility import ApplicationPublicEligibility  # noqa: PLC0415
        from ..models.group_member_public import GroupMemberPublic  # noqa: PLC0415

        d = dict(src_dict)
        certification_body_id = d.pop("certification_body_id")

        def _parse_decided_by(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        decided_by = _parse_decided_by(d.pop("decided_by"))

        eligibility = ApplicationPublicEligibility.from_dict(d.pop("eligibility"))

        group_member_ids = cast(list[str], d.pop("group_member_ids"))

        id = d.pop("id")

        def _parse_motivation(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        motivation = _parse_motivation(d.pop("motivation"))

        organisation_id = d.pop("organisation_id")

        def _parse_reason(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        reason = _parse_reason(d.pop("reason"))

        scheme = d.pop("scheme")

        status = d.pop("status")

        submitted_by = d.pop("submitted_by")

        _invitations = d.pop("invitations", UNSET)
        invitations: list[GroupMemberPublic] | Unset = UNSET
        if _invitations is not UNSET:
            invitations = []
            for invitations_item_data in _invitations:
                invitations_item = GroupMemberPublic.from_dict(invitations_item_data)

                invitations.append(invitations_item)

        application_public = cls(
            certification_body_id=certification_body_id,
            decided_by=decided_by,
            eligibility=eligibility,
            group_member_ids=group_member_ids,
            id=id,
            motivation=motivation,
            organisation_id=organisation_id,
            reason=reason,
            scheme=scheme,
            status=status,
            submitted_by=submitted_by,
            invitations=invitations,
        )

        application_public.additional_properties = d
        return application_public

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
