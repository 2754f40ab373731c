from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..models.channel_modes_email import ChannelModesEmail
from ..models.channel_modes_in_app import ChannelModesInApp
from ..types import UNSET, Unset

T = TypeVar("T", bound="ChannelModes")


@_attrs_define
class ChannelModes:
    """The modes chosen for one event type, per channel (what is not given is unchanged).

    Attributes:
        email (ChannelModesEmail | Unset):
        in_app (ChannelModesInApp | Unset):
    """

    email: ChannelModesEmail | Unset = UNSET
    in_app: ChannelModesInApp | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        email: str | Unset = UNSET
        if not isinstance(self.email, Unset):
            email = self.email.value

        in_app: str | Unset = UNSET
        if not isinstance(self.in_app, Unset):
            in_app = self.in_app.value

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if email is not UNSET:
            field_dict["email"] = email
        if in_app is not UNSET:
            field_dict["in_app"] = in_app

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        _email = d.pop("email", UNSET)
        email: ChannelModesEmail | Unset
        if isinstance(_email, Unset):
            email = UNSET
        else:
            email = ChannelModesEmail(_email)

        _in_app = d.pop("in_app", UNSET)
        in_app: ChannelModesInApp | Unset
        if isinstance(_in_app, Unset):
            in_app = UNSET
        else:
            in_app = ChannelModesInApp(_in_app)

        channel_modes = cls(
            email=email,
            in_app=in_app,
        )

        return channel_modes
