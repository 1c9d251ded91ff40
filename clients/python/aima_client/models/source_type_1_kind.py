from enum import StrEnum

class SourceType1Kind(StrEnum):
    EVENT = "event"

    def __str__(self) -> str:
        return str(self.value)
