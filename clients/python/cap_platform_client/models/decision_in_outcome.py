from enum import StrEnum


class DecisionInOutcome(StrEnum):
    CONFIRM = "confirm"
    DEFER = "defer"
    REFUSE = "refuse"

    def __str__(self) -> str:
        return str(self.value)
