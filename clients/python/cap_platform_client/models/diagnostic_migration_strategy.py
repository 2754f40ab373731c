from enum import StrEnum


class DiagnosticMigrationStrategy(StrEnum):
    KEEP = "keep"
    RESCALE = "rescale"
    RESET = "reset"

    def __str__(self) -> str:
        return str(self.value)
