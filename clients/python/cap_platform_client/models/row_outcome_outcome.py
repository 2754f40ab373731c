from enum import StrEnum


class RowOutcomeOutcome(StrEnum):
    IMPORTED = "imported"
    TO_IMPORT = "to_import"
    UNCHANGED = "unchanged"

    def __str__(self) -> str:
        return str(self.value)
