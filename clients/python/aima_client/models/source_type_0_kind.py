from enum import StrEnum

class SourceType0Kind(StrEnum):
    ACTIVITY = "activity"

    def __str__(self) -> str:
        return str(self.value)
