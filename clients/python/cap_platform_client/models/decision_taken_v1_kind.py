from enum import StrEnum


class DecisionTakenV1Kind(StrEnum):
    INITIAL = "initial"
    RENEWAL = "renewal"

    def __str__(self) -> str:
        return str(self.value)
