from enum import StrEnum


class DecisionOpenedV1Kind(StrEnum):
    INITIAL = "initial"
    RENEWAL = "renewal"

    def __str__(self) -> str:
        return str(self.value)
