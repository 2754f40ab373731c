from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.comparison import Comparison


T = TypeVar("T", bound="PeerGroup")


@_attrs_define
class PeerGroup:
    """Peers of one SIAE type in the structure's region.

    Attributes:
        comparisons (list[Comparison]):
        peers (int):
        region (None | str):
        siae_type (str):
    """

    comparisons: list[Comparison]
    peers: int
    region: None | str
    siae_type: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        comparisons = []
        for comparisons_item_data in self.comparisons:
            comparisons_item = comparisons_item_data.to_dict()
            comparisons.append(comparisons_item)

        peers = self.peers

        region: None | str
        region = self.region

        siae_type = self.siae_type

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "comparisons": comparisons,
                "peers": peers,
                "region": region,
                "siae_type": siae_type,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.comparison import Comparison  # noqa: PLC0415

        d = dict(src_dict)
        comparisons = []
        _comparisons = d.pop("comparisons")
        for comparisons_item_data in _comparisons:
            comparisons_item = Comparison.from_dict(comparisons_item_data)

            comparisons.append(comparisons_item)

        peers = d.pop("peers")

        def _parse_region(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        region = _parse_region(d.pop("region"))

        siae_type = d.pop("siae_type")

        peer_group = cls(
            comparisons=comparisons,
            peers=peers,
            region=region,
            siae_type=siae_type,
        )

        peer_group.additional_properties = d
        return peer_group

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
