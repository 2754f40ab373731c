from enum import StrEnum


class AuditRequestType(StrEnum):
    FOLLOW_UP = "follow_up"
    INITIAL = "initial"
    RENEWAL = "renewal"
    SPECIAL = "special"
    STAGE1 = "stage1"
    STAGE2 = "stage2"
    SURVEILLANCE = "surveillance"

    def __str__(self) -> str:
        return str(self.value)
