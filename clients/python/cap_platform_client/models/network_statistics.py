from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.maturity import Maturity
    from ..models.network_cell import NetworkCell
    from ..models.network_scope import NetworkScope
    from ..models.network_totals import NetworkTotals
    from ..models.quarter import Quarter
    from ..models.suppressed import Suppressed
    from ..models.suppressed_cell import SuppressedCell
    from ..models.suppressed_maturity import SuppressedMaturity
    from ..models.suppressed_quarter import SuppressedQuarter


T = TypeVar("T", bound="NetworkStatistics")


@_attrs_define
class NetworkStatistics:
    """The network's figures in the caller's scope; groups below ``min_group`` suppressed.

    Attributes:
        by_region_and_type (list[NetworkCell | SuppressedCell]):
        maturity (list[Maturity | SuppressedMaturity] | Suppressed):
        min_group (int):
        referential (str):
        scope (NetworkScope): What the figures cover: the regions and the SIAE type.
        totals (NetworkTotals | Suppressed):
        trend (list[Quarter | SuppressedQuarter]):
    """

    by_region_and_type: list[NetworkCell | SuppressedCell]
    maturity: list[Maturity | SuppressedMaturity] | Suppressed
    min_group: int
    referential: str
    scope: NetworkScope
    totals: NetworkTotals | Suppressed
    trend: list[Quarter | SuppressedQuarter]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.maturity import Maturity  # noqa: PLC0415
        from ..models.network_cell import NetworkCell  # noqa: PLC0415
        from ..models.network_totals import NetworkTotals  # noqa: PLC0415
        from ..models.quarter import Quarter  # noqa: PLC0415

        by_region_and_type = []
        for by_region_and_type_item_data in self.by_region_and_type:
            by_region_and_type_item: dict[str, Any]
            if isinstance(by_region_and_type_item_data, NetworkCell):
                by_region_and_type_item = by_region_and_type_item_data.to_dict()
            else:
                by_region_and_type_item = by_region_and_type_item_data.to_dict()

            by_region_and_type.append(by_region_and_type_item)

        maturity: dict[str, Any] | list[dict[str, Any]]
        if isinstance(self.maturity, list):
            maturity = []
            for maturity_type_0_item_data in self.maturity:
                maturity_type_0_item: dict[str, Any]
                if isinstance(maturity_type_0_item_data, Maturity):
                    maturity_type_0_item = maturity_type_0_item_data.to_dict()
                else:
                    maturity_type_0_item = maturity_type_0_item_data.to_dict()

                maturity.append(maturity_type_0_item)

        else:
            maturity = self.maturity.to_dict()

        min_group = self.min_group

        referential = self.referential

        scope = self.scope.to_dict()

        totals: dict[str, Any]
        if isinstance(self.totals, NetworkTotals):
            totals = self.totals.to_dict()
        else:
            totals = self.totals.to_dict()

        trend = []
        for trend_item_data in self.trend:
            trend_item: dict[str, Any]
            if isinstance(trend_item_data, Quarter):
                trend_item = trend_item_data.to_dict()
            else:
                trend_item = trend_item_data.to_dict()

            trend.append(trend_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "by_region_and_type": by_region_and_type,
                "maturity": maturity,
                "min_group": min_group,
                "referential": referential,
                "scope": scope,
                "totals": totals,
                "trend": trend,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.maturity import Maturity  # noqa: PLC0415
        from ..models.network_cell import NetworkCell  # noqa: PLC0415
        from ..models.network_scope import NetworkScope  # noqa: PLC0415
        from ..models.network_totals import NetworkTotals  # noqa: PLC0415
        from ..models.quarter import Quarter  # noqa: PLC0415
        from ..models.suppressed import Suppressed  # noqa: PLC0415
        from ..models.suppressed_cell import SuppressedCell  # noqa: PLC0415
        from ..models.suppressed_maturity import SuppressedMaturity  # noqa: PLC0415
        from ..models.suppressed_quarter import SuppressedQuarter  # noqa: PLC0415

        d = dict(src_dict)
        by_region_and_type = []
        _by_region_and_type = d.pop("by_region_and_type")
        for by_region_and_type_item_data in _by_region_and_type:

            def _parse_by_region_and_type_item(data: object) -> NetworkCell | SuppressedCell:
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    by_region_and_type_item_type_0 = NetworkCell.from_dict(data)

                    return by_region_and_type_item_type_0
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                if not isinstance(data, dict):
                    raise TypeError()
                by_region_and_type_item_type_1 = SuppressedCell.from_dict(data)

                return by_region_and_type_item_type_1

            by_region_and_type_item = _parse_by_region_and_type_item(by_region_and_type_item_data)

            by_region_and_type.append(by_region_and_type_item)

        def _parse_maturity(data: object) -> list[Maturity | SuppressedMaturity] | Suppressed:
            try:
                if not isinstance(data, list):
                    raise TypeError()
                maturity_type_0 = []
                _maturity_type_0 = data
                for maturity_type_0_item_data in _maturity_type_0:

                    def _parse_maturity_type_0_item(data: object) -> Maturity | SuppressedMaturity:
                        try:
                            if not isinstance(data, dict):
                                raise TypeError()
                            maturity_type_0_item_type_0 = Maturity.from_dict(data)

                            return maturity_type_0_item_type_0
                        except (TypeError, ValueError, AttributeError, KeyError):
                            pass
                        if not isinstance(data, dict):
                            raise TypeError()
                        maturity_type_0_item_type_1 = SuppressedMaturity.from_dict(data)

                        return maturity_type_0_item_type_1

                    maturity_type_0_item = _parse_maturity_type_0_item(maturity_type_0_item_data)

                    maturity_type_0.append(maturity_type_0_item)

                return maturity_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            maturity_type_1 = Suppressed.from_dict(data)

            return maturity_type_1

        maturity = _parse_maturity(d.pop("maturity"))

        min_group = d.pop("min_group")

        referential = d.pop("referential")

        scope = NetworkScope.from_dict(d.pop("scope"))

        def _parse_totals(data: object) -> NetworkTotals | Suppressed:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                totals_type_0 = NetworkTotals.from_dict(data)

                return totals_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            totals_type_1 = Suppressed.from_dict(data)

            return totals_type_1

        totals = _parse_totals(d.pop("totals"))

        trend = []
        _trend = d.pop("trend")
        for trend_item_data in _trend:

            def _parse_trend_item(data: object) -> Quarter | SuppressedQuarter:
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    trend_item_type_0 = Quarter.from_dict(data)

                    return trend_item_type_0
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                if not isinstance(data, dict):
                    raise TypeError()
                trend_item_type_1 = SuppressedQuarter.from_dict(data)

                return trend_item_type_1

            trend_item = _parse_trend_item(trend_item_data)

            trend.append(trend_item)

        network_statistics = cls(
            by_region_and_type=by_region_and_type,
            maturity=maturity,
            min_group=min_group,
            referential=referential,
            scope=scope,
            totals=totals,
            trend=trend,
        )

        network_statistics.additional_properties = d
        return network_statistics

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
