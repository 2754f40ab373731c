from enum import StrEnum


class RecognitionStepInStep(StrEnum):
    RESTORE = "restore"
    SUSPEND = "suspend"
    WITHDRAW = "withdraw"

    def __str__(self) -> str:
        return str(self.value)
