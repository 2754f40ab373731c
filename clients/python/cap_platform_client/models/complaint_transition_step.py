from enum import StrEnum


class ComplaintTransitionStep(StrEnum):
    DISMISS = "dismiss"
    INVESTIGATE = "investigate"
    UPHOLD = "uphold"

    def __str__(self) -> str:
        return str(self.value)
