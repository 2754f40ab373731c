from enum import StrEnum


class FindingAppealDecidedV1Outcome(StrEnum):
    DOWNGRADED = "downgraded"
    OVERTURNED = "overturned"
    UPHELD = "upheld"

    def __str__(self) -> str:
        return str(self.value)
