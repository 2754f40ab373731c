from enum import StrEnum


class EngagementInKind(StrEnum):
    ACCOMPANIMENT = "accompaniment"
    CONSULTANCY = "consultancy"
    TRAINING = "training"

    def __str__(self) -> str:
        return str(self.value)
