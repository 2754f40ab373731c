from enum import StrEnum


class AppealDecisionOutcome(StrEnum):
    DOWNGRADED = "downgraded"
    OVERTURNED = "overturned"
    UPHELD = "upheld"

    def __str__(self) -> str:
        return str(self.value)
