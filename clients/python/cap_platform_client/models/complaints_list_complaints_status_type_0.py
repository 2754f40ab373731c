from enum import StrEnum


class ComplaintsListComplaintsStatusType0(StrEnum):
    DISMISSED = "dismissed"
    INVESTIGATING = "investigating"
    RECEIVED = "received"
    UPHELD = "upheld"

    def __str__(self) -> str:
        return str(self.value)
