from enum import StrEnum


class CertificationDecidedV1Outcome(StrEnum):
    GRANTED = "granted"
    REFUSED = "refused"

    def __str__(self) -> str:
        return str(self.value)
