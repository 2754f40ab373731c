from enum import StrEnum


class RecognitionTransitionStep(StrEnum):
    RESTORE = "restore"
    SUSPEND = "suspend"
    WITHDRAW = "withdraw"

    def __str__(self) -> str:
        return str(self.value)
