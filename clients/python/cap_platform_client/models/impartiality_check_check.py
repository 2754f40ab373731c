from enum import StrEnum


class ImpartialityCheckCheck(StrEnum):
    AUDITED = "audited"
    COOLING_OFF = "cooling_off"
    OVERTURNED_ON_APPEAL = "overturned_on_appeal"

    def __str__(self) -> str:
        return str(self.value)
