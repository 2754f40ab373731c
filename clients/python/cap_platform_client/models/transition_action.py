from enum import StrEnum


class TransitionAction(StrEnum):
    CLOSE = "close"
    COMPLETE = "complete"
    FOLLOW_UP = "follow_up"
    ISSUE_PLAN = "issue_plan"
    SCHEDULE = "schedule"
    START = "start"

    def __str__(self) -> str:
        return str(self.value)
