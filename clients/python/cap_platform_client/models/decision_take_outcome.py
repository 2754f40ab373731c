from enum import StrEnum


class DecisionTakeOutcome(StrEnum):
    CONFIRM = "confirm"
    DEFER = "defer"
    REFUSE = "refuse"

    def __str__(self) -> str:
        return str(self.value)
