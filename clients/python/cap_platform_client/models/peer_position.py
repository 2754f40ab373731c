from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.peer_group import PeerGroup
    from ..models.suppressed_peer_group import SuppressedPeerGroup


T = TypeVar("T", bound="PeerPosition")


@_attrs_define
class PeerPosition:
    """Where a structure stands among its peers (``peer_groups`` once it is diagnosed).

    Attributes:
        diagnosed (bool):
        organisation_id (str):
        referential (str):
        min_group (int | None | Unset):
        peer_groups (list[PeerGroup | SuppressedPeerGroup] | None | Unset):
    """

    diagnosed: bool
    organisation_id: str
    referential: str
    min_group: int | None | Unset = UNSET
    peer_groups: list[PeerGroup | SuppressedPeerGroup] | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.peer_group import PeerGroup  # noqa: PLC0415

        diagnosed = self.diagnosed

        organisation_id = self.organisation_id

        referential = self.referential

        min_group: int | None | Unset
        if isinstance(self.min_group, Unset):
            min_group = UNSET
        else:
            min_group = self.min_group

        peer_groups: list[dict[str, Any]] | None | Unset
        if isinstance(self.peer_groups, Unset):
            peer_groups = UNSET
        elif isinstance(self.peer_groups, list):
            peer_groups = []
            for peer_groups_type_0_item_data in self.peer_groups:
                peer_groups_type_0_item: dict[str, Any]
                if isinstance(peer_groups_type_0_item_data, PeerGroup):
                    peer_groups_type_0_item = peer_groups_type_0_item_data.to_dict()
                else:
                    peer_groups_type_0_item = peer_groups_type_0_item_data.to_dict()

                peer_groups.append(peer_groups_type_0_item)

        else:
            peer_groups = self.peer_groups

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "diagnosed": diagnosed,
                "organisation_id": organisation_id,
                "referential": referential,
            }
        )
        if min_group is not UNSET:
            field_dict["min_group"] = min_group
        if peer_groups is not UNSET:
            field_dict["peer_groups"] = peer_groups

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.peer_group import PeerGroup  # noqa: PLC0415
        from ..models.suppressed_peer_group import SuppressedPeerGroup  # noqa: PLC0415

        d = dict(src_dict)
        diagnosed = d.pop("diagnosed")

        organisation_id = d.pop("organisation_id")

        referential = d.pop("referential")

        def _parse_min_group(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        min_group = _parse_min_group(d.pop("min_group", UNSET))

        def _parse_peer_groups(data: object) -> list[PeerGroup | SuppressedPeerGroup] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                peer_groups_type_0 = []
                _peer_groups_type_0 = data
                for peer_groups_type_0_item_data in _peer_groups_type_0:

                    def _parse_peer_groups_type_0_item(data: object) -> PeerGroup | SuppressedPeerGroup:
                        try:
                            if not isinstance(data, dict):
                                raise TypeError()
                            peer_groups_type_0_item_type_0 = PeerGroup.from_dict(data)

                            return peer_groups_type_0_item_type_0
                        except (TypeError, ValueError, AttributeError, KeyError):
                            pass
                        if not isinstance(data, dict):
                            raise TypeError()
                        peer_groups_type_0_item_type_1 = SuppressedPeerGroup.from_dict(data)

                        return peer_groups_type_0_item_type_1

                    peer_groups_type_0_item = _parse_peer_groups_type_0_item(peer_groups_type_0_item_data)

                    peer_groups_type_0.append(peer_groups_type_0_item)

                return peer_groups_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[PeerGroup | SuppressedPeerGroup] | None | Unset, data)

        peer_groups = _parse_peer_groups(d.pop("peer_groups", UNSET))

        peer_position = cls(
            diagnosed=diagnosed,
            organisation_id=organisation_id,
            referential=referential,
            min_group=min_group,
            peer_groups=peer_groups,
        )

        peer_position.additional_properties = d
        return peer_position

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
