from enum import StrEnum


class ComplaintStepInStep(StrEnum):
    DISMISS = "dismiss"
    INVESTIGATE = "investigate"
    UPHOLD = "uphold"

    def __str__(self) -> str:
        return str(self.value)
