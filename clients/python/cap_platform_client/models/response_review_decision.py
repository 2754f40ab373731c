from enum import StrEnum


class ResponseReviewDecision(StrEnum):
    ACCEPT_PLAN = "accept_plan"
    SEND_BACK = "send_back"
    VERIFY = "verify"

    def __str__(self) -> str:
        return str(self.value)
