from enum import StrEnum


class DecisionAppealDecidedV1Outcome(StrEnum):
    OVERTURNED = "overturned"
    UPHELD = "upheld"

    def __str__(self) -> str:
        return str(self.value)
