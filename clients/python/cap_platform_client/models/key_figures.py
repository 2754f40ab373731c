from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.exits import Exits


T = TypeVar("T", bound="KeyFigures")


@_attrs_define
class KeyFigures:
    """The structure's key figures recorded with a diagnostic.

    Attributes:
        employees_in_pathway (int):
        exits (Exits | Unset): Exits of employees in pathway over the period, by category (``docs/domain/domain.md``
            §2.4).
        period_end (None | str | Unset):
        period_start (None | str | Unset):
        permanent_staff (int | None | Unset):
        volunteers (int | None | Unset):
    """

    employees_in_pathway: int
    exits: Exits | Unset = UNSET
    period_end: None | str | Unset = UNSET
    period_start: None | str | Unset = UNSET
    permanent_staff: int | None | Unset = UNSET
    volunteers: int | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        employees_in_pathway = self.employees_in_pathway

        exits: dict[str, Any] | Unset = UNSET
        if not isinstance(self.exits, Unset):
            exits = self.exits.to_dict()

        period_end: None | str | Unset
        if isinstance(self.period_end, Unset):
            period_end = UNSET
        else:
            period_end = self.period_end

        period_start: None | str | Unset
        if isinstance(self.period_start, Unset):
            period_start = UNSET
        else:
            period_start = self.period_start

        permanent_staff: int | None | Unset
        if isinstance(self.permanent_staff, Unset):
            permanent_staff = UNSET
        else:
            permanent_staff = self.permanent_staff

        volunteers: int | None | Unset
        if isinstance(self.volunteers, Unset):
            volunteers = UNSET
        else:
            volunteers = self.volunteers

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "employees_in_pathway": employees_in_pathway,
            }
        )
        if exits is not UNSET:
            field_dict["exits"] = exits
        if period_end is not UNSET:
            field_dict["period_end"] = period_end
        if period_start is not UNSET:
            field_dict["period_start"] = period_start
        if permanent_staff is not UNSET:
            field_dict["permanent_staff"] = permanent_staff
        if volunteers is not UNSET:
            field_dict["volunteers"] = volunteers

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.exits import Exits  # noqa: PLC0415

        d = dict(src_dict)
        employees_in_pathway = d.pop("employees_in_pathway")

        _exits = d.pop("exits", UNSET)
        exits: Exits | Unset
        if isinstance(_exits, Unset):
            exits = UNSET
        else:
            exits = Exits.from_dict(_exits)

        def _parse_period_end(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        period_end = _parse_period_end(d.pop("period_end", UNSET))

        def _parse_period_start(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        period_start = _parse_period_start(d.pop("period_start", UNSET))

        def _parse_permanent_staff(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        permanent_staff = _parse_permanent_staff(d.pop("permanent_staff", UNSET))

        def _parse_volunteers(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        volunteers = _parse_volunteers(d.pop("volunteers", UNSET))

        key_figures = cls(
            employees_in_pathway=employees_in_pathway,
            exits=exits,
            period_end=period_end,
            period_start=period_start,
            permanent_staff=permanent_staff,
            volunteers=volunteers,
        )

        return key_figures
