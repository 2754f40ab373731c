from enum import StrEnum


class ActionTransitionStep(StrEnum):
    CANCEL = "cancel"
    COMPLETE = "complete"
    PLAN = "plan"
    REOPEN = "reopen"
    START = "start"
    VERIFY = "verify"

    def __str__(self) -> str:
        return str(self.value)
