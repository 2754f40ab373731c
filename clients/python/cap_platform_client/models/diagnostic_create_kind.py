from enum import StrEnum


class DiagnosticCreateKind(StrEnum):
    CAP_SESSION = "cap_session"
    SELF_ASSESSMENT = "self_assessment"

    def __str__(self) -> str:
        return str(self.value)
