from enum import StrEnum


class DiagnosticCompletedV1Kind(StrEnum):
    AUDIT_EVALUATION = "audit_evaluation"
    CAP_SESSION = "cap_session"
    SELF_ASSESSMENT = "self_assessment"

    def __str__(self) -> str:
        return str(self.value)
