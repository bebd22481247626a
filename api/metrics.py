"""Prometheus metrics of the web process: responses, server errors, webhooks, GET /metrics.

The delivery metrics (scheduler/metrics.py) live in the same registry, so one scrape of
GET /metrics shows both when `ansinh serve` also runs the dispatcher.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from contextlib import contextmanager

from prometheus_client import REGISTRY, Counter, Histogram
from prometheus_client.exposition import choose_encoder
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import problem
from scheduler.metrics import count_unhandled

WEBHOOK_PREFIX = "/webhooks/"
# A provider answers within seconds or retries; most of our webhooks take milliseconds.
WEBHOOK_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

RESPONSES = Counter("ansinh_http_responses", "HTTP responses by status code.", ["status"])
SERVER_ERRORS = Counter("ansinh_http_server_errors", "HTTP responses with a 5xx status.")
WEBHOOK_SECONDS = Histogram(
    "ansinh_webhook_seconds",
    "Time to verify, parse and take in one provider webhook, by provider.",
    ["provider"],
    buckets=WEBHOOK_BUCKETS,
)
WEBHOOK_REJECTIONS = Counter(
    "ansinh_webhook_rejections",
    "Webhooks refused, by provider and reason (signature, replay, malformed, too_large, "
    "not_configured).",
    ["provider", "reason"],
)


@contextmanager
def timed_webhook(provider: str) -> Iterator[None]:
    """Time one webhook of `provider`."""
    with WEBHOOK_SECONDS.labels(provider).time():
        yield


def rejection_reason(status: int, reason: str) -> str:
    """The label of a refused webhook: replay, signature, malformed or not_configured."""
    if status == 401:
        return "replay" if "stale" in reason else "signature"
    return {400: "malformed", 404: "not_configured", 413: "too_large"}.get(status, str(status))


def count_rejection(provider: str, status: int, reason: str = "") -> None:
    """Count one refused webhook."""
    WEBHOOK_REJECTIONS.labels(provider, rejection_reason(status, reason)).inc()


def _webhook_provider(path: str, providers: frozenset[str]) -> str | None:
    if not path.startswith(WEBHOOK_PREFIX):
        return None
    name = path[len(WEBHOOK_PREFIX) :].split("/", 1)[0]
    return name if name in providers else "unknown"


class HttpMetrics:
    """Counts responses by status, 5xx responses and unhandled exceptions (pure ASGI).

    An unhandled exception is answered as a 500 problem here, inside the security headers,
    then raised on so that the server logs it. Webhook bodies refused for their size never
    reach a route, so they are counted here.
    """

    def __init__(self, app: ASGIApp, providers: frozenset[str] = frozenset()) -> None:
        self.app = app
        self.providers = providers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 0

        async def counting(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, counting)
        except Exception:
            count_unhandled("http")
            if not status:
                await problem(500, "Internal server error.")(scope, receive, counting)
            raise
        finally:
            self._count(scope["path"], status or 500)

    def _count(self, path: str, status: int) -> None:
        RESPONSES.labels(str(status)).inc()
        if status >= 500:
            SERVER_ERRORS.inc()
        provider = _webhook_provider(path, self.providers)
        if provider is not None and status == 413:
            count_rejection(provider, status)


def exposition(accept: str) -> tuple[bytes, str]:
    """The registry in the format the scraper accepts, and its content type."""
    encoder, content_type = choose_encoder(accept)
    return encoder(REGISTRY), content_type


def token_matches(authorization: str | None, token: str) -> bool:
    """Whether an Authorization header carries `Bearer <token>` (compared in constant time)."""
    scheme, _, given = (authorization or "").partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(given.strip().encode(), token.encode())
