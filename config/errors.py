"""Domain errors that every interface understands: the API maps them to a status, the admin shows them."""


class DomainError(Exception):
    """A refusal with a message for the person who asked.  ``status_code`` is what the API answers."""

    status_code = 400
    code = "invalid"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class Conflict(DomainError):
    """Not allowed from the current state (another person got there first, or the workflow forbids it)."""

    status_code = 409
    code = "conflict"


class Forbidden(DomainError):
    """Not yours to do: your role does not allow it."""

    status_code = 403
    code = "permission_denied"
