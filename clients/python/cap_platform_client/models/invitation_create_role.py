from enum import StrEnum


class InvitationCreateRole(StrEnum):
    ADMIN = "admin"
    AUDITOR = "auditor"
    COMMITTEE = "committee"
    FACILITATOR = "facilitator"
    MEMBER = "member"
    MEMBER_ADMIN = "member_admin"

    def __str__(self) -> str:
        return str(self.value)
