from enum import StrEnum

class SummaryBy(StrEnum):
    APP = "app"
    MODE = "mode"

    def __str__(self) -> str:
        return str(self.value)
