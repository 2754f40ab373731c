from enum import StrEnum


class ApplicationTransitionStep(StrEnum):
    ACCEPT = "accept"
    REJECT = "reject"
    WITHDRAW = "withdraw"

    def __str__(self) -> str:
        return str(self.value)
