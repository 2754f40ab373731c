from enum import StrEnum


class FindingStatusChangedV1PreviousTypeType0(StrEnum):
    MAJOR_NC = "major_nc"
    MINOR_NC = "minor_nc"

    def __str__(self) -> str:
        return str(self.value)
