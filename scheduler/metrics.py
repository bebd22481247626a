"""Prometheus metrics of delivery: messages sent by channel and status, send latency, the queue.

Every process keeps its own counters in prometheus_client's default registry: `ansinh serve`
exposes them on GET /metrics, `ansinh worker` on its own port (`worker_metrics_port`).
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter as Tally
from collections.abc import Iterable
from wsgiref.simple_server import WSGIServer

from prometheus_client import Counter, Gauge, Histogram, start_http_server
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models.base import utcnow
from models.messaging.depth import QueueDepth, queue_depth
from models.messaging.service import SendOutcome
from models.settings import ConfigurationError

log = logging.getLogger(__name__)

DEPTH_EVERY_SECONDS = 15.0
# Providers answer in tens of milliseconds to seconds; the timeout is 10 s by default.
SEND_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

MESSAGES = Counter(
    "ansinh_messages",
    "Send attempts recorded by the dispatcher, by channel and result "
    "(sent, retryable, permanent, unreachable).",
    ["channel", "status"],
)
SEND_SECONDS = Histogram(
    "ansinh_send_seconds",
    "Time an adapter took to send one message to its provider.",
    ["channel"],
    buckets=SEND_BUCKETS,
)
OUTBOX_MESSAGES = Gauge(
    "ansinh_outbox_messages", "Open outbox messages by status (pending, sending).", ["status"]
)
OUTBOX_DUE = Gauge("ansinh_outbox_due_messages", "Pending messages whose time to send has come.")
OUTBOX_OLDEST_DUE = Gauge(
    "ansinh_outbox_oldest_due_seconds",
    "How long the oldest due message has waited (0 when none is due).",
)
UNHANDLED = Counter(
    "ansinh_unhandled_exceptions",
    "Exceptions caught only by a safety net, by where (http, dispatcher).",
    ["where"],
)


def count_results(outcomes: Iterable[SendOutcome]) -> None:
    """Count recorded send results by channel and status."""
    tally = Tally((outcome.message.channel, outcome.status) for outcome in outcomes)
    for (channel, status), number in tally.items():
        MESSAGES.labels(channel, status).inc(number)


def count_unhandled(where: str) -> None:
    """Count one exception that only a safety net caught."""
    UNHANDLED.labels(where).inc()


def show_depth(depth: QueueDepth) -> None:
    """Put a measured queue depth into the gauges."""
    for status, number in depth.by_status.items():
        OUTBOX_MESSAGES.labels(status).set(number)
    OUTBOX_DUE.set(depth.due)
    OUTBOX_OLDEST_DUE.set(depth.oldest_due_seconds)


async def refresh_depth(sessions: async_sessionmaker[AsyncSession]) -> bool:
    """Measure the queue now; False (gauges left as they were) when the database fails."""
    try:
        async with sessions() as session:
            depth = await queue_depth(session, now=utcnow())
    except Exception:
        log.warning("could not measure the outbox queue", exc_info=True)
        return False
    show_depth(depth)
    return True


async def refresh_depth_until(
    sessions: async_sessionmaker[AsyncSession],
    stop: asyncio.Event,
    every: float = DEPTH_EVERY_SECONDS,
) -> None:
    """Measure the queue every `every` seconds until `stop` is set."""
    while not stop.is_set():
        await refresh_depth(sessions)
        try:
            await asyncio.wait_for(stop.wait(), timeout=every)
        except TimeoutError:
            continue


def serve_metrics(port: int, host: str) -> WSGIServer:
    """Serve this process's metrics on http://host:port/ from a daemon thread."""
    try:
        server, _ = start_http_server(port, addr=host)
    except OSError as error:
        raise ConfigurationError(
            f"Setting ANSINH_WORKER_METRICS_PORT is wrong: cannot listen on {host}:{port} "
            f"({error.strerror or error})."
        ) from None
    return server
