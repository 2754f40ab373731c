from enum import StrEnum


class ParticipantCategory(StrEnum):
    BOARD = "board"
    EMPLOYEE_IN_PATHWAY = "employee_in_pathway"
    PARTNER = "partner"
    STAFF = "staff"
    VOLUNTEER = "volunteer"

    def __str__(self) -> str:
        return str(self.value)
