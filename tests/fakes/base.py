"""What every fake provider shares: request recording and behaviour switches."""

from __future__ import annotations

import asyncio
import json
import threading
from collections import deque
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route


@dataclass
class Recorded:
    """One request a fake received."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any  # parsed JSON, a form as dict, or the raw text
    raw: bytes = field(repr=False, default=b"")


@dataclass
class Failure:
    status: int
    description: str | None = None
    code: Any = None


class FakeProvider:
    """A small ASGI app that records each request and can be told to be slow, fail or block.

    Behaviours apply to the provider's send endpoint only; the app runs in another thread, so the
    switches are guarded by a lock.
    """

    url = ""  # set once the fake is being served

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests: list[Recorded] = []
        self.delay = 0.0
        self.closing = False
        self._failures: deque[Failure] = deque()
        self._throttles: deque[float] = deque()
        self.blocked: set[str] = set()
        self.app = Starlette(routes=self.routes())

    def routes(self) -> list[Route]:
        """The provider's endpoints."""
        raise NotImplementedError

    # --- switches, called by tests -----------------------------------------------------------
    def fail_next(
        self, n: int = 1, status: int = 503, description: str | None = None, code: Any = None
    ) -> None:
        """The next `n` sends fail with this HTTP status (and provider description/code)."""
        with self._lock:
            self._failures.extend(Failure(status, description, code) for _ in range(n))

    def throttle_next(self, n: int = 1, retry_after: float = 1) -> None:
        """The next `n` sends are refused as too many requests."""
        with self._lock:
            self._throttles.extend([retry_after] * n)

    def block(self, address: str) -> None:
        """Sends to this address fail the way the provider says 'unreachable'."""
        with self._lock:
            self.blocked.add(self.key(address))

    def key(self, address: str) -> str:
        """The provider's own form of an address ('telegram:1' → '1')."""
        return address.rpartition(":")[2]

    def reset(self) -> None:
        """Forget requests and behaviours."""
        with self._lock:
            self.requests.clear()
            self._failures.clear()
            self._throttles.clear()
            self.blocked.clear()
            self.delay = 0.0

    def sent(self, path_suffix: str) -> list[Recorded]:
        """The recorded requests whose path ends with `path_suffix`."""
        return [r for r in self.requests if r.path.endswith(path_suffix)]

    # --- helpers for the endpoints -----------------------------------------------------------
    async def record(self, request: Request) -> Recorded:
        raw = await request.body()
        recorded = Recorded(
            request.method,
            request.url.path,
            {k.lower(): v for k, v in request.headers.items()},
            _parse(raw, request.headers.get("content-type", ""), dict(request.query_params)),
            raw,
        )
        with self._lock:
            self.requests.append(recorded)
        return recorded

    async def pause(self) -> None:
        """Wait `delay` seconds, in steps so that shutting down is not held up."""
        remaining = self.delay
        while remaining > 0 and not self.closing:
            await asyncio.sleep(min(0.02, remaining))
            remaining -= 0.02

    def take_throttle(self) -> float | None:
        with self._lock:
            return self._throttles.popleft() if self._throttles else None

    def take_failure(self) -> Failure | None:
        with self._lock:
            return self._failures.popleft() if self._failures else None

    def is_blocked(self, address: str) -> bool:
        with self._lock:
            return self.key(address) in self.blocked


def _parse(raw: bytes, content_type: str, query: dict[str, str]) -> Any:
    if "json" in content_type:
        try:
            return json.loads(raw)
        except ValueError:
            return raw.decode(errors="replace")
    if "form" in content_type:
        return dict(parse_qsl(raw.decode(), keep_blank_values=True))
    return query if not raw else raw.decode(errors="replace")


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """A JSON answer."""
    return JSONResponse(data, status_code=status, headers=headers)
