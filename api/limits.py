"""Request-body size limits by path prefix, checked before and while the body is read."""

from __future__ import annotations

from collections.abc import Sequence

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import problem

KIB = 1024
MIB = 1024 * KIB
# Providers post small JSON or forms; anything bigger is not theirs.
WEBHOOK_LIMIT = 64 * KIB
SANDBOX_LIMIT = 64 * KIB
DEFAULT_LIMIT = 32 * MIB  # officers' spreadsheet uploads
LIMITS: tuple[tuple[str, int], ...] = (
    ("/webhooks/", WEBHOOK_LIMIT),
    ("/api/v1/sandbox/", SANDBOX_LIMIT),
)


def _title(limit: int) -> str:
    return f"The request body is larger than {limit // KIB} KiB."


class TooLarge(HTTPException):
    """A body that grew past its limit while being read."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, _title(limit))


class BodyLimit:
    """Answers 413 to a body over the limit of its path: by Content-Length or while streaming."""

    def __init__(
        self,
        app: ASGIApp,
        limits: Sequence[tuple[str, int]] = LIMITS,
        default: int = DEFAULT_LIMIT,
    ) -> None:
        self.app = app
        self.limits = tuple(limits)
        self.default = default

    def limit_for(self, path: str) -> int:
        """The limit of the first prefix that `path` starts with, else the default."""
        return next(
            (limit for prefix, limit in self.limits if path.startswith(prefix)), self.default
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        if _declared_length(scope) > limit:
            await problem(413, _title(limit))(scope, receive, send)
            return
        await self.app(scope, _counting(receive, limit), send)


def _declared_length(scope: Scope) -> int:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return 0
    return 0


def _counting(receive: Receive, limit: int) -> Receive:
    """`receive` that raises TooLarge once more than `limit` body bytes came in."""
    received = 0

    async def wrapped() -> Message:
        nonlocal received
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit:
                raise TooLarge(limit)
        return message

    return wrapped
