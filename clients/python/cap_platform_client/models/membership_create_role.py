from enum import StrEnum


class MembershipCreateRole(StrEnum):
    ADMIN = "admin"
    AUDITOR = "auditor"
    COMMITTEE = "committee"
    FACILITATOR = "facilitator"
    MEMBER = "member"
    MEMBER_ADMIN = "member_admin"

    def __str__(self) -> str:
        return str(self.value)
