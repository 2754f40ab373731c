from enum import StrEnum


class SchemeParametersScheme(StrEnum):
    CAP_ISO9001 = "CAP_ISO9001"
    CAP_RSE = "CAP_RSE"

    def __str__(self) -> str:
        return str(self.value)
