from enum import StrEnum

class SearchSort(StrEnum):
    DATE = "date"
    RELEVANCE = "relevance"

    def __str__(self) -> str:
        return str(self.value)
