from enum import StrEnum


class SchemeParametersPublicSource(StrEnum):
    DIRECTORY = "directory"
    PACKAGED = "packaged"

    def __str__(self) -> str:
        return str(self.value)
