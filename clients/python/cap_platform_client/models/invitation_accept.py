from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="InvitationAccept")


@_attrs_define
class InvitationAccept:
    """Accept an invitation with the token of its link; a new account chooses its password.

    Attributes:
        token (str):
        password (None | str | Unset): Required when the e-mail has no account yet
    """

    token: str
    password: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        token = self.token

        password: None | str | Unset
        if isinstance(self.password, Unset):
            password = UNSET
        else:
            password = self.password

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "token": token,
            }
        )
        if password is not UNSET:
            field_dict["password"] = password

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        token = d.pop("token")

        def _parse_password(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        password = _parse_password(d.pop("password", UNSET))

        invitation_accept = cls(
            token=token,
            password=password,
        )

        return invitation_accept
