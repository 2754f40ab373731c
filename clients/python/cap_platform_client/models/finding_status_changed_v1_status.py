from enum import StrEnum


class FindingStatusChangedV1Status(StrEnum):
    APPEALED = "appealed"
    OPEN = "open"
    PLAN_ACCEPTED = "plan_accepted"
    RESPONSE_SUBMITTED = "response_submitted"
    VERIFIED_CLOSED = "verified_closed"
    WITHDRAWN = "withdrawn"

    def __str__(self) -> str:
        return str(self.value)
