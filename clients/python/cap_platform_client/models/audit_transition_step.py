from enum import StrEnum


class AuditTransitionStep(StrEnum):
    ACCEPT = "accept"
    CANCEL = "cancel"
    CLOSE = "close"
    START = "start"
    SUBMIT_REPORT = "submit_report"

    def __str__(self) -> str:
        return str(self.value)
