from enum import StrEnum

class AuthVia(StrEnum):
    ANONYMOUS = "anonymous"
    COOKIE = "cookie"
    KEY = "key"

    def __str__(self) -> str:
        return str(self.value)
