from enum import StrEnum


class FindingStatusChangedV1Type(StrEnum):
    MAJOR_NC = "major_nc"
    MINOR_NC = "minor_nc"

    def __str__(self) -> str:
        return str(self.value)
