"""The real processes: `ansinh serve` and `ansinh worker` log JSON lines and expose metrics."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx

from tests.conftest import TEST_KEY, Database
from tests.observability.support import value

ROOT = Path(__file__).resolve().parents[2]
START_SECONDS = 30.0


def _env(db: Database, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANSINH_")}
    env.update(
        ANSINH_DATABASE_URL=db.url,
        ANSINH_DATA_KEY=TEST_KEY,
        ANSINH_ENVIRONMENT="test",
        ANSINH_SANDBOX="true",
        ANSINH_HOST="127.0.0.1",
        ANSINH_LOG_JSON="true",
        ANSINH_LOG_LEVEL="INFO",
        PYTHONPATH=str(ROOT),
        **extra,
    )
    return env


@asynccontextmanager
async def _process(env: dict[str, str], *args: str) -> AsyncIterator[list[str]]:
    """Run `python -m …` until the block ends, then SIGTERM it; its stderr lines, once ended."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", *args, cwd=ROOT, env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    lines: list[str] = []
    try:
        yield lines
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(process.communicate(), timeout=START_SECONDS)
        lines.extend(line for line in err.decode().splitlines() if line.strip())


async def _get(url: str) -> httpx.Response:
    """GET `url` once the process answers (it may still be starting)."""
    deadline = time.monotonic() + START_SECONDS
    async with httpx.AsyncClient() as client:
        while True:
            try:
                return await client.get(url)
            except httpx.TransportError:
                assert time.monotonic() < deadline, f"nothing answered on {url}"
                await asyncio.sleep(0.1)


def _json_lines(lines: list[str]) -> list[dict[str, object]]:
    """Every stderr line, each of which must be one JSON object."""
    entries = [json.loads(line) for line in lines]
    assert all(isinstance(entry, dict) and "level" in entry for entry in entries), lines
    return entries


async def test_worker_serves_metrics_on_its_port_and_logs_json(
    db: Database, free_tcp_port: int
) -> None:
    env = _env(db, ANSINH_WORKER_METRICS_PORT=str(free_tcp_port))
    async with _process(env, "cli.worker", "--id", "metrics-test") as lines:
        response = await _get(f"http://127.0.0.1:{free_tcp_port}/metrics")
    assert response.status_code == 200
    assert value(response.text, "ansinh_outbox_messages", status="pending") == 0
    messages = [str(entry["message"]) for entry in _json_lines(lines)]
    assert "worker metrics-test started" in messages
    assert "worker metrics-test stopping" in messages


async def test_serve_is_ready_exposes_metrics_and_logs_json(
    db: Database, free_tcp_port: int
) -> None:
    env = _env(db, ANSINH_PORT=str(free_tcp_port), ANSINH_RUN_SCHEDULER="false")
    base = f"http://127.0.0.1:{free_tcp_port}"
    async with _process(env, "cli.main", "serve") as lines:
        ready = await _get(f"{base}/ready")
        metrics = await _get(f"{base}/metrics")
    assert ready.status_code == 200 and ready.json()["database"] == "ok"
    assert "ansinh_http_responses_total" in metrics.text
    entries = _json_lines(lines)
    assert any(entry["logger"].startswith("uvicorn") for entry in entries)  # type: ignore[attr-defined]


async def test_worker_stops_with_one_sentence_when_its_metrics_port_is_taken(
    db: Database, free_tcp_port: int
) -> None:
    env = _env(db, ANSINH_WORKER_METRICS_PORT=str(free_tcp_port))
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", free_tcp_port))
        taken.listen()
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "cli.worker", cwd=ROOT, env=env,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        _, err = await asyncio.wait_for(process.communicate(), timeout=START_SECONDS)
    assert process.returncode == 2
    assert "ANSINH_WORKER_METRICS_PORT" in err.decode() and "Traceback" not in err.decode()
