from enum import StrEnum


class ResourceCreateKind(StrEnum):
    CONTACT = "contact"
    EVENT = "event"
    GUIDE = "guide"
    TOOL = "tool"
    TRAINING = "training"

    def __str__(self) -> str:
        return str(self.value)
