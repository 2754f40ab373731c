from enum import StrEnum


class DecisionsListDecisionsStatusType0(StrEnum):
    AWAITING_REPORT = "awaiting_report"
    DEFERRED = "deferred"
    GRANTED = "granted"
    HELD = "held"
    PENDING = "pending"
    REFUSED = "refused"

    def __str__(self) -> str:
        return str(self.value)
