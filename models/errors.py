"""Domain errors: a message key and parameters, mapped to HTTP in one place (api/errors.py)."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the domain said no; `key` names the message that explains it."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = {name: str(value) for name, value in params.items()}


class NotFound(DomainError):
    """The thing asked for does not exist (or is outside the caller's reach)."""


class Invalid(DomainError):
    """The input breaks a rule."""


class Conflict(DomainError):
    """The request clashes with the current state."""


class Unauthorized(DomainError):
    """Who is calling could not be established: no, wrong or expired credentials."""


class Forbidden(DomainError):
    """The caller is known but their role may not do this."""


class TooLarge(DomainError):
    """The request carries more than is accepted."""


class TooManyAttempts(DomainError):
    """Too many attempts in a short time; `retry_after` says how many seconds to wait."""

    def __init__(self, key: str, *, retry_after: int, **params: object) -> None:
        super().__init__(key, **params)
        self.retry_after = max(1, int(retry_after))
