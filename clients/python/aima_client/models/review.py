from enum import StrEnum

class Review(StrEnum):
    CONFIRMED = "confirmed"
    REJECTED = "rejected"

    def __str__(self) -> str:
        return str(self.value)
