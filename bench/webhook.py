"""Conversations through the Telegram webhook: simulated people, the time from update to reply.

Each simulated person is a Telegram chat. It posts an update to the webhook, waits until the fake
Bot API (`tests/fakes/telegram.py`, served by this process) is asked to send a message to its
chat, reads for a while (`--think` seconds, uniformly spread) and writes the next line of its
script: greeting, language, consent, who is writing, then the menu, ATMs in a commune, help,
status, over and over. The time of an update is from the start of its POST to the first
`sendMessage` for that chat after it (the person sees the answer begin); the last reply of the
turn is reported too.

The same people talk in the same run to a bare python-telegram-bot echo bot
(`bench/telegram_echo.py`: an `Application` with one `MessageHandler` that answers with the
text it got, fed by a Starlette webhook as python-telegram-bot's custom-webhook example does):
its time is what python-telegram-bot itself needs from update to reply.

ansinh runs as `ansinh serve` does by default, one process with its scheduler dispatching the
outbox, with the Telegram adapter pointed at the fake; rate limits are raised because the fake
has none (Telegram allows a bot about 30 messages a second, which 200 people exceed).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import uvicorn

from bench.common import BENCH_KEY, PG_URL, ROOT, Figure, ansinh_env, reset_pg
from bench.load_services import free_port, wait_healthy
from bench.population import process_cpu
from tests.fakes.base import Recorded
from tests.fakes.telegram import FakeTelegram, text_update

TOKEN = "123456:WEBHOOK-bench-token"
SECRET = "webhook-bench-secret"
FIRST_CHAT = 8_100_000_000
# the script of one person: first contact, then the questions people come back with
OPENING = ("Xin chào", "1", "1", "menu")
AGAIN = ("ATM dong kinh", "tro giup", "0", "TT", "ATM van quan", "menu")


@dataclass
class Turn:
    """One update a person sent: when, and when the replies to it came."""

    sent: float
    replies: list[float] = field(default_factory=list)
    status: int = 0


class Replies:
    """Stands in for the fake's request list: notes when each chat is sent a message."""

    def __init__(self) -> None:
        self.waiting: dict[str, asyncio.Event] = {}
        self.turns: dict[str, list[Turn]] = defaultdict(list)

    def append(self, recorded: Recorded) -> None:
        if not recorded.path.endswith("/sendMessage"):
            return
        body = recorded.body if isinstance(recorded.body, dict) else {}
        chat = str(body.get("chat_id"))
        turns = self.turns.get(chat)
        if turns:
            turns[-1].replies.append(time.perf_counter())
        event = self.waiting.get(chat)
        if event is not None:
            event.set()


@dataclass
class Outcome:
    """What one target (ansinh on a database, or the echo bot) did in the measured window."""

    name: str
    database: str
    seconds: float
    first: list[float]
    last: list[float]
    errors: int
    unanswered: int
    cpu_seconds: float | None

    @property
    def updates(self) -> int:
        return len(self.first)

    def percentile(self, values: list[float], q: int) -> float:
        if not values:
            return float("nan")
        if len(values) == 1:
            return values[0] * 1000
        return statistics.quantiles(values, n=100, method="inclusive")[q - 1] * 1000


def _listener() -> socket.socket:
    # IPPROTO_TCP named so that asyncio sets TCP_NODELAY on the accepted connections
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    return listener


@contextlib.asynccontextmanager
async def bot_api(replies: Replies) -> AsyncIterator[str]:
    """The fake Bot API, served in this process; yields its base URL for `Bot(base_url=...)`."""
    fake = FakeTelegram(TOKEN)
    fake.requests = replies  # type: ignore[assignment]  # FakeProvider.record appends here
    listener = _listener()
    config = uvicorn.Config(
        fake.app, log_level="warning", lifespan="off", access_log=False, backlog=4096
    )
    server = uvicorn.Server(config)
    listener.listen(4096)  # connections wait in the backlog until the server takes them
    serving = asyncio.ensure_future(server.serve(sockets=[listener]))
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/bot"
    finally:
        server.should_exit = True
        await serving


@contextlib.contextmanager
def process(command: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[str]]:
    """A child process for a `with` block, stopped with SIGTERM at its end."""
    with log.open("w") as out:
        child = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out, text=True)
        try:
            yield child
        finally:
            child.terminate()
            try:
                child.wait(timeout=30)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()


def serve_env(database_url: str, api_url: str, port: int) -> dict[str, str]:
    """`ansinh serve` on `port`: the real Telegram adapter at the fake, its scheduler on."""
    return ansinh_env(
        {
            "DATABASE_URL": database_url,
            "DATA_KEY": BENCH_KEY,
            "SANDBOX": "false",
            "RUN_SCHEDULER": "true",
            "PORT": str(port),
            "LOG_LEVEL": "WARNING",
            "TELEGRAM_TOKEN": TOKEN,
            "TELEGRAM_API_URL": api_url,
            "TELEGRAM_WEBHOOK_SECRET": SECRET,
            "TELEGRAM_RATE_PER_SECOND": "100000",
            "TELEGRAM_RATE_PER_CHAT": "100000",
        }
    )


def _ansinh(*args: str) -> list[str]:
    return [sys.executable, "-m", "cli.main", *args]


class People:
    """`count` people, each a chat writing its script, thinking between turns."""

    def __init__(self, count: int, think: tuple[float, float], seed: int = 2026) -> None:
        self.count = count
        self.think = think
        self._rng = random.Random(seed)
        self._updates = itertools.count(1)
        self._chats = itertools.count(FIRST_CHAT)

    async def talk(
        self, url: str, replies: Replies, warmup: float, seconds: float
    ) -> tuple[list[Turn], int, float]:
        """Run everyone for `warmup` + `seconds`; the turns begun in the measured window."""
        chats = [str(next(self._chats)) for _ in range(self.count)]
        start = time.perf_counter()
        window = (start + warmup, start + warmup + seconds)
        errors = 0
        # kept-alive connections are dropped before uvicorn's 5 s keep-alive ends, so that a
        # request never goes out on a connection the server is closing
        connector = aiohttp.TCPConnector(limit=self.count * 2, keepalive_timeout=2)
        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"}

        async def person(chat: str, pause: float) -> None:
            nonlocal errors
            await asyncio.sleep(pause)  # people do not all start at the same moment
            event = replies.waiting[chat] = asyncio.Event()
            lines = itertools.chain(OPENING, itertools.cycle(AGAIN))
            while time.perf_counter() < window[1]:
                body = json.dumps(text_update(next(self._updates), int(chat), next(lines)))
                event.clear()
                turn = Turn(time.perf_counter())
                replies.turns[chat].append(turn)
                try:
                    async with session.post(url, data=body, headers=headers) as answer:
                        turn.status = answer.status
                        await answer.read()
                except aiohttp.ClientError:
                    turn.status = 0
                if turn.status != 200:
                    errors += turn.sent >= window[0]
                    await asyncio.sleep(self._rng.uniform(*self.think))
                    continue
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(event.wait(), timeout=10)
                await asyncio.sleep(self._rng.uniform(*self.think))

        async with aiohttp.ClientSession(connector=connector) as session:
            await asyncio.gather(
                *(person(chat, self._rng.uniform(0, self.think[1])) for chat in chats)
            )
        measured = [
            turn
            for chat in chats
            for turn in replies.turns[chat]
            if window[0] <= turn.sent < window[1]
        ]
        return measured, errors, seconds


async def measure(
    name: str,
    database: str,
    webhook: str,
    pid: int,
    replies: Replies,
    people: People,
    warmup: float,
    seconds: float,
) -> Outcome:
    """Let the people talk to `webhook`; the figures of the measured window."""
    cpu_at: list[float] = []

    async def mark_cpu() -> None:
        await asyncio.sleep(warmup)
        cpu_at.append(process_cpu(pid) or 0.0)
        await asyncio.sleep(seconds)
        cpu_at.append(process_cpu(pid) or 0.0)

    marking = asyncio.ensure_future(mark_cpu())
    turns, errors, _ = await people.talk(webhook, replies, warmup, seconds)
    await marking
    answered = [turn for turn in turns if turn.replies]
    return Outcome(
        name=name,
        database=database,
        seconds=seconds,
        first=[turn.replies[0] - turn.sent for turn in answered],
        last=[turn.replies[-1] - turn.sent for turn in answered],
        errors=errors,
        unanswered=len(turns) - len(answered),
        cpu_seconds=cpu_at[1] - cpu_at[0] if len(cpu_at) == 2 else None,
    )


async def run_echo(options: Options, logs: Path, database: str | None = None) -> Outcome:
    """The bare python-telegram-bot echo bot under the same people; with `database`, the echo
    bot that first records each turn there as the issue asks (`bench/durable_turn.py`)."""
    replies = Replies()
    with tempfile.TemporaryDirectory() as folder:
        command = [sys.executable, "-m", "bench.telegram_echo"]
        name, label = "python-telegram-bot echo (baseline)", "-"
        if database is not None:
            url = await _migrated(database, Path(folder))
            command += ["--durable", url]
            name, label = "echo + the turn's durable record (floor)", database
        async with bot_api(replies) as api_url:
            port = free_port()
            command += ["--port", str(port), "--api-url", api_url, "--token", TOKEN]
            command += ["--secret", SECRET]
            env = os.environ | {"PYTHONPATH": str(ROOT)}
            log = logs / f"echo-{database or 'bare'}.log"
            with process(command, env, log) as child:
                return await _talk_to(name, label, port, child.pid, replies, options)


async def _talk_to(
    name: str, label: str, port: int, pid: int, replies: Replies, options: Options
) -> Outcome:
    """Once the server on `port` is healthy, the people talk to its Telegram webhook."""
    base = f"http://127.0.0.1:{port}"
    await asyncio.to_thread(wait_healthy, base)
    people = People(options.people, options.think)
    webhook = base + "/webhooks/telegram"
    return await measure(
        name, label, webhook, pid, replies, people, options.warmup, options.seconds
    )


async def _migrated(database: str, folder: Path) -> str:
    """The URL of an empty, migrated database of that kind (SQLite in `folder`)."""
    if database == "postgresql":
        await reset_pg(PG_URL)
        url = PG_URL
    else:
        url = f"sqlite+aiosqlite:///{folder / 'webhook.db'}"
    env = ansinh_env({"DATABASE_URL": url, "DATA_KEY": BENCH_KEY})
    await asyncio.to_thread(
        subprocess.run, _ansinh("db", "upgrade"), cwd=ROOT, env=env, check=True,
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    return url


async def run_ansinh(options: Options, database: str, logs: Path) -> Outcome:
    """ansinh (`ansinh serve`, scheduler on) on `database` under the same people."""
    with tempfile.TemporaryDirectory() as folder:
        url = await _migrated(database, Path(folder))
        replies = Replies()
        async with bot_api(replies) as api_url:
            port = free_port()
            env = serve_env(url, api_url, port)
            for step in (("places", "load"), ("demo", "--if-empty")):
                await asyncio.to_thread(
                    subprocess.run, _ansinh(*step), cwd=ROOT, env=env, check=True,
                    stdout=subprocess.DEVNULL,
                )  # fmt: skip
            with process(_ansinh("serve"), env, logs / f"serve-{database}.log") as child:
                name = "ansinh, Telegram webhook → dialog → outbox → Bot API"
                return await _talk_to(name, database, port, child.pid, replies, options)


@dataclass(frozen=True)
class Options:
    """How many people, how long, how long they think."""

    people: int = 200
    seconds: float = 30.0
    warmup: float = 8.0
    think: tuple[float, float] = (2.0, 6.0)


async def run(databases: list[str], options: Options) -> list[Figure]:
    """The echo baseline, then ansinh on each database; one figure line each."""
    logs = Path(tempfile.mkdtemp(prefix="ansinh-webhook-bench-"))
    echo = await run_echo(options, logs)
    outcomes = [echo]
    for database in databases:
        outcomes.append(await run_echo(options, logs, database))
        outcomes.append(await run_ansinh(options, database, logs))
    echo_p50 = echo.percentile(echo.first, 50)
    echo_cpu = echo.cpu_seconds / echo.updates if echo.cpu_seconds and echo.updates else None
    figures = []
    for outcome in outcomes:
        p50, p99 = outcome.percentile(outcome.first, 50), outcome.percentile(outcome.first, 99)
        last50, last99 = outcome.percentile(outcome.last, 50), outcome.percentile(outcome.last, 99)
        cpu = (
            f"{outcome.cpu_seconds / outcome.updates * 1000:.2f}"
            if outcome.cpu_seconds is not None and outcome.updates
            else "-"
        )
        ratio = "" if outcome is echo else f"; p50 {p50 / echo_p50:.2f}x the echo's"
        if outcome is not echo and outcome.cpu_seconds is not None and echo_cpu:
            ratio += f", CPU {outcome.cpu_seconds / outcome.updates / echo_cpu:.2f}x"
        note = (
            f"first reply p50 {p50:.1f} ms, p99 {p99:.1f} ms{ratio}; last reply p50 "
            f"{last50:.1f} ms, p99 {last99:.1f} ms; CPU ms/update {cpu}; errors "
            f"{outcome.errors}, unanswered {outcome.unanswered}"
        )
        figures.append(
            Figure(outcome.name, outcome.database, outcome.updates, outcome.seconds, None, note)
        )
    print(f"process logs: {logs}")
    return figures
