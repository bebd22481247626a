"""The result of parsing what a person typed: a value, or a problem named by a message key."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Problem:
    """Something wrong with an input: a message key (translated by messages/) and its parameters."""

    key: str
    params: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Parsed(Generic[T]):
    """A normalized value, or an error; warnings never stop a value from being used."""

    value: T | None
    error: Problem | None = None
    warnings: tuple[Problem, ...] = ()
    suggestion: str | None = None

    @property
    def ok(self) -> bool:
        """Whether a value was read (warnings allowed)."""
        return self.error is None and self.value is not None


def good(value: T, warnings: tuple[Problem, ...] = ()) -> Parsed[T]:
    """A successful parse."""
    return Parsed(value=value, warnings=warnings)


def bad(key: str, *, suggestion: str | None = None, **params: object) -> Parsed[T]:
    """A failed parse with the message key and its parameters (as strings)."""
    problem = Problem(key, {name: str(value) for name, value in params.items()})
    return Parsed(value=None, error=problem, suggestion=suggestion)
