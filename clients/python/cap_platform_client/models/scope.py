from enum import StrEnum


class Scope(StrEnum):
    AUDITSREAD = "audits:read"
    AUDITSWRITE = "audits:write"
    CERTIFICATIONSWRITE = "certifications:write"

    def __str__(self) -> str:
        return str(self.value)
