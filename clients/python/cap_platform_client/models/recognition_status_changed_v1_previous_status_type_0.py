from enum import StrEnum


class RecognitionStatusChangedV1PreviousStatusType0(StrEnum):
    ACTIVE = "active"
    EXPIRED = "expired"
    RENEWED = "renewed"
    SUSPENDED = "suspended"
    WITHDRAWN = "withdrawn"

    def __str__(self) -> str:
        return str(self.value)
