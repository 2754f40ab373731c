from enum import StrEnum


class SchemeParametersSurveillance(StrEnum):
    CALENDAR_YEAR = "calendar_year"
    FOLLOW_UP = "follow_up"

    def __str__(self) -> str:
        return str(self.value)
