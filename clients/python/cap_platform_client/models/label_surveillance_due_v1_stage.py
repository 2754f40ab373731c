from enum import StrEnum


class LabelSurveillanceDueV1Stage(StrEnum):
    OVERDUE = "overdue"
    UPCOMING = "upcoming"

    def __str__(self) -> str:
        return str(self.value)
