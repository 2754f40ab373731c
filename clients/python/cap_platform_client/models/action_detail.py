from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.review_public import ReviewPublic


T = TypeVar("T", bound="ActionDetail")


@_attrs_define
class ActionDetail:
    """An action with its follow-up reviews.

    Attributes:
        allowed_steps (list[str]):
        completed_at (datetime.datetime | None):
        created_at (datetime.datetime):
        criterion (None | str):
        criterion_code (None | str):
        description (str):
        due_date (datetime.date | None):
        expected_gain (float | None):
        id (str):
        organisation_id (str):
        overdue (bool):
        owner (None | str):
        plan_id (str):
        priority (str):
        reviews (list[ReviewPublic]):
        source (str):
        source_ref (str):
        status (str):
        theme_code (None | str):
        title (str):
        verified_at (datetime.datetime | None):
    """

    allowed_steps: list[str]
    completed_at: datetime.datetime | None
    created_at: datetime.datetime
    criterion: None | str
    criterion_code: None | str
    description: str
    due_date: datetime.date | None
    expected_gain: float | None
    id: str
    organisation_id: str
    overdue: bool
    owner: None | str
    plan_id: str
    priority: str
    reviews: list[ReviewPublic]
    source: str
    source_ref: str
    status: str
    theme_code: None | str
    title: str
    verified_at: datetime.datetime | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        allowed_steps = self.allowed_steps

        completed_at: None | str
        if isinstance(self.completed_at, datetime.datetime):
            completed_at = self.completed_at.isoformat()
        else:
            completed_at = self.completed_at

        created_at = self.created_at.isoformat()

        criterion: None | str
        criterion = self.criterion

        criterion_code: None | str
        criterion_code = self.criterion_code

        description = self.description

        due_date: None | str
        if isinstance(self.due_date, datetime.date):
            due_date = self.due_date.isoformat()
        else:
            due_date = self.due_date

        expected_gain: float | None
        expected_gain = self.expected_gain

        id = self.id

        organisation_id = self.organisation_id

        overdue = self.overdue

        owner: None | str
        owner = self.owner

        plan_id = self.plan_id

        priority = self.priority

        reviews = []
        for reviews_item_data in self.reviews:
            reviews_item = reviews_item_data.to_dict()
            reviews.append(reviews_item)

        source = self.source

        source_ref = self.source_ref

        status = self.status

        theme_code: None | str
        theme_code = self.theme_code

        title = self.title

        verified_at: None | str
        if isinstance(self.verified_at, datetime.datetime):
            verified_at = self.verified_at.isoformat()
        else:
            verified_at = self.verified_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "allowed_steps": allowed_steps,
                "completed_at": completed_at,
                "created_at": created_at,
                "criterion": criterion,
                "criterion_code": criterion_code,
                "description": description,
                "due_date": due_date,
                "expected_gain": expected_gain,
                "id": id,
                "organisation_id": organisation_id,
                "overdue": overdue,
                "owner": owner,
                "plan_id": plan_id,
                "priority": priority,
                "reviews": reviews,
                "source": source,
                "source_ref": source_ref,
                "status": status,
                "theme_code": theme_code,
                "title": title,
                "verified_at": verified_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.review_public import ReviewPublic  # noqa: PLC0415

        d = dict(src_dict)
        allowed_steps = cast(list[str], d.pop("allowed_steps"))

        def _parse_completed_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                completed_at_type_0 = datetime.datetime.fromisoformat(data)

                return completed_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        completed_at = _parse_completed_at(d.pop("completed_at"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        def _parse_criterion(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        criterion = _parse_criterion(d.pop("criterion"))

        def _parse_criterion_code(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        criterion_code = _parse_criterion_code(d.pop("criterion_code"))

        description = d.pop("description")

        def _parse_due_date(data: object) -> datetime.date | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                due_date_type_0 = datetime.date.fromisoformat(data)

                return due_date_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.date | None, data)

        due_date = _parse_due_date(d.pop("due_date"))

        def _parse_expected_gain(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        expected_gain = _parse_expected_gain(d.pop("expected_gain"))

        id = d.pop("id")

        organisation_id = d.pop("organisation_id")

        overdue = d.pop("overdue")

        def _parse_owner(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        owner = _parse_owner(d.pop("owner"))

        plan_id = d.pop("plan_id")

        priority = d.pop("priority")

        reviews = []
        _reviews = d.pop("reviews")
        for reviews_item_data in _reviews:
            reviews_item = ReviewPublic.from_dict(reviews_item_data)

            reviews.append(reviews_item)

        source = d.pop("source")

        source_ref = d.pop("source_ref")

        status = d.pop("status")

        def _parse_theme_code(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        theme_code = _parse_theme_code(d.pop("theme_code"))

        title = d.pop("title")

        def _parse_verified_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                verified_at_type_0 = datetime.datetime.fromisoformat(data)

                return verified_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        verified_at = _parse_verified_at(d.pop("verified_at"))

        action_detail = cls(
            allowed_steps=allowed_steps,
            completed_at=completed_at,
            created_at=created_at,
            criterion=criterion,
            criterion_code=criterion_code,
            description=description,
            due_date=due_date,
            expected_gain=expected_gain,
            id=id,
            organisation_id=organisation_id,
            overdue=overdue,
            owner=owner,
            plan_id=plan_id,
            priority=priority,
            reviews=reviews,
            source=source,
            source_ref=source_ref,
            status=status,
            theme_code=theme_code,
            title=title,
            verified_at=verified_at,
        )

        action_detail.additional_properties = d
        return action_detail

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
