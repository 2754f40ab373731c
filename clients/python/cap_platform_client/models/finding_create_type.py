from enum import StrEnum


class FindingCreateType(StrEnum):
    MAJOR_NC = "major_nc"
    MINOR_NC = "minor_nc"
    OBSERVATION = "observation"
    OPPORTUNITY = "opportunity"
    STRENGTH = "strength"

    def __str__(self) -> str:
        return str(self.value)
