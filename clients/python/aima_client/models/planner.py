from enum import StrEnum

class Planner(StrEnum):
    MODEL = "model"
    READER = "reader"
    REMOTE = "remote"

    def __str__(self) -> str:
        return str(self.value)
