"""Domain errors: a rule was broken by the person's request, not by the code."""


class DomainError(Exception):
    """A translated message for the person; views turn it into a flash or form error and a 4xx."""

    status = 400

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status
