from enum import StrEnum


class AuditProblemPublicKind(StrEnum):
    ALTERED = "altered"
    REMOVED = "removed"
    REORDERED = "reordered"
    TRUNCATED = "truncated"

    def __str__(self) -> str:
        return str(self.value)
