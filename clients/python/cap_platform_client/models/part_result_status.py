from enum import StrEnum


class PartResultStatus(StrEnum):
    NOT_APPLICABLE = "not_applicable"
    OK = "ok"
    UNAVAILABLE = "unavailable"

    def __str__(self) -> str:
        return str(self.value)
