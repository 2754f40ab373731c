from enum import StrEnum


class FindingResponseDueV1Stage(StrEnum):
    OVERDUE = "overdue"
    REMINDER = "reminder"
    VERIFICATION_OVERDUE = "verification_overdue"

    def __str__(self) -> str:
        return str(self.value)
