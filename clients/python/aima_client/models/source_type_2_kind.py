from enum import StrEnum

class SourceType2Kind(StrEnum):
    MEDIA = "media"

    def __str__(self) -> str:
        return str(self.value)
