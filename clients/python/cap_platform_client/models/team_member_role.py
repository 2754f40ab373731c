from enum import StrEnum


class TeamMemberRole(StrEnum):
    AUDITOR = "auditor"
    EXPERT = "expert"
    LEAD = "lead"
    OBSERVER = "observer"

    def __str__(self) -> str:
        return str(self.value)
