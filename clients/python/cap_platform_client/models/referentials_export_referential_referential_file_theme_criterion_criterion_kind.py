from enum import StrEnum


class ReferentialsExportReferentialReferentialFileThemeCriterionCriterionKind(StrEnum):
    PRACTICE = "practice"
    RESULT = "result"

    def __str__(self) -> str:
        return str(self.value)
