from enum import StrEnum


class DecisionTakenV1Outcome(StrEnum):
    DEFERRED = "deferred"
    GRANTED = "granted"
    REFUSED = "refused"

    def __str__(self) -> str:
        return str(self.value)
