from enum import StrEnum


class LabellingEngagementCreateKind(StrEnum):
    ACCOMPANIMENT = "accompaniment"
    CONSULTANCY = "consultancy"
    TRAINING = "training"

    def __str__(self) -> str:
        return str(self.value)
