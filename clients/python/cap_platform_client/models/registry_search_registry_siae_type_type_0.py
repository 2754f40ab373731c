from enum import StrEnum


class RegistrySearchRegistrySiaeTypeType0(StrEnum):
    ACI = "ACI"
    AI = "AI"
    EBE = "EBE"
    EI = "EI"
    EITI = "EITI"
    ETTI = "ETTI"

    def __str__(self) -> str:
        return str(self.value)
