from enum import StrEnum


class EngagementCreateKind(StrEnum):
    ACCOMPANIMENT = "accompaniment"
    AUDITED = "audited"
    CONSULTANCY = "consultancy"
    TRAINING = "training"

    def __str__(self) -> str:
        return str(self.value)
