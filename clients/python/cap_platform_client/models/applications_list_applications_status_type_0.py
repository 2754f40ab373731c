from enum import StrEnum


class ApplicationsListApplicationsStatusType0(StrEnum):
    ACCEPTED = "accepted"
    AWAITING_CONSENT = "awaiting_consent"
    REJECTED = "rejected"
    SUBMITTED = "submitted"
    WITHDRAWN = "withdrawn"

    def __str__(self) -> str:
        return str(self.value)
