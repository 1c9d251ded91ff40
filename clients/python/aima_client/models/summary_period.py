from enum import StrEnum

class SummaryPeriod(StrEnum):
    DAY = "day"
    HOUR = "hour"
    TOTAL = "total"
    WEEKDAY = "weekday"

    def __str__(self) -> str:
        return str(self.value)
