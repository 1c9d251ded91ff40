from enum import StrEnum

class LabelSource(StrEnum):
    MODEL = "model"
    USER = "user"

    def __str__(self) -> str:
        return str(self.value)
