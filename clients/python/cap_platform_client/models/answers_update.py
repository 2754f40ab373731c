from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.answer_update import AnswerUpdate


T = TypeVar("T", bound="AnswersUpdate")


@_attrs_define
class AnswersUpdate:
    """A batch of answers (created or replaced by criterion).

    Attributes:
        answers (list[AnswerUpdate]):
    """

    answers: list[AnswerUpdate]

    def to_dict(self) -> dict[str, Any]:
        answers = []
        for answers_item_data in self.answers:
            answers_item = answers_item_data.to_dict()
            answers.append(answers_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "answers": answers,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.answer_update import AnswerUpdate  # noqa: PLC0415

        d = dict(src_dict)
        answers = []
        _answers = d.pop("answers")
        for answers_item_data in _answers:
            answers_item = AnswerUpdate.from_dict(answers_item_data)

            answers.append(answers_item)

        answers_update = cls(
            answers=answers,
        )

        return answers_update
