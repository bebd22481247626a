"""The processes of the load benchmark: fake providers that count what they receive, two
`ansinh serve` processes and one `ansinh worker`, all on loopback, all stopped at the end.

`python -m bench.load_services telegram` serves one fake (tests/fakes) and prints its URL.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from starlette.responses import JSONResponse

from bench.common import ROOT, ansinh_env
from bench.load_traffic import (
    GATEWAY_SECRET,
    PUBLIC_URL,
    TELEGRAM_SECRET,
    TWILIO_SID,
    TWILIO_TOKEN,
    ZALO_SECRET,
)
from tests.fakes.base import FakeProvider, Recorded
from tests.fakes.sms_gateway import SEND_PATH, FakeSmsGateway
from tests.fakes.telegram import FakeTelegram
from tests.fakes.zalo import FakeZaloBot

TELEGRAM_TOKEN, ZALO_TOKEN, GATEWAY_KEY = "123456:LOAD-token", "load-zalo-token", "load-gateway-key"
FAKES = ("telegram", "zalo", "sms")
TALLY_PATH = "/_bench/tally"


class Counted:
    """A fake provider that keeps, of each send, only who it was for (the fake would keep all).

    Sends are keyed as the outbox can be matched: the outbox id an SMS gateway request carries,
    the chat a Telegram or Zalo message went to.
    """

    def __init__(self, fake: FakeProvider) -> None:
        self.fake = fake
        self.sends: Counter[str] = Counter()
        fake.requests = self  # type: ignore[assignment]  # FakeProvider.record appends here

    def append(self, recorded: Recorded) -> None:
        body = recorded.body if isinstance(recorded.body, dict) else {}
        if recorded.path.endswith(SEND_PATH):
            self.sends[str(body.get("request_id"))] += 1
        elif recorded.path.endswith("/sendMessage"):
            self.sends[str(body.get("chat_id"))] += 1

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"] == TALLY_PATH:
            await JSONResponse({"sends": self.sends})(scope, receive, send)
            return
        await self.fake.app(scope, receive, send)


def make_fake(kind: str) -> FakeProvider:
    """The fake of `kind`: 'telegram', 'zalo' or the 'sms' gateway."""
    if kind == "telegram":
        return FakeTelegram(TELEGRAM_TOKEN)
    if kind == "zalo":
        return FakeZaloBot(ZALO_TOKEN)
    return FakeSmsGateway(GATEWAY_KEY)


def serve_fake(kind: str) -> None:
    """Serve the counted fake on a free loopback port; print its URL first."""
    listener = _listener()
    print(f"http://127.0.0.1:{listener.getsockname()[1]}", flush=True)
    app = Counted(make_fake(kind))
    config = uvicorn.Config(
        app, log_level="warning", lifespan="off", access_log=False, backlog=4096
    )
    uvicorn.Server(config).run(sockets=[listener])


def _listener() -> socket.socket:
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    return listener


def free_port() -> int:
    """A loopback port nothing listens on now."""
    with _listener() as listener:
        return int(listener.getsockname()[1])


class Services:
    """Every process of the benchmark; `stop()` ends them all (gracefully, then by force)."""

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.fakes: dict[str, str] = {}
        self.servers: list[str] = []
        self._processes: list[subprocess.Popen[str]] = []
        self.worker: subprocess.Popen[str] | None = None

    def start_fakes(self) -> None:
        """One fake provider process per kind."""
        for kind in FAKES:
            command = [sys.executable, "-m", "bench.load_services", kind]
            process = self._spawn(command, os.environ.copy(), f"fake-{kind}", pipe=True)
            assert process.stdout is not None
            self.fakes[kind] = process.stdout.readline().strip()
            if not self.fakes[kind]:
                raise RuntimeError(f"the fake {kind} provider did not start")

    def env(self, database_url: str, data_key: str, **extra: str) -> dict[str, str]:
        """The settings of the ansinh processes: real adapters pointed at the fakes."""
        values = {
            "DATABASE_URL": database_url,
            "DATA_KEY": data_key,
            "SANDBOX": "false",
            "RUN_SCHEDULER": "false",
            "PUBLIC_URL": PUBLIC_URL,
            "LOG_LEVEL": "WARNING",
            "TELEGRAM_TOKEN": TELEGRAM_TOKEN,
            "TELEGRAM_API_URL": self.fakes["telegram"] + "/bot",
            "TELEGRAM_WEBHOOK_SECRET": TELEGRAM_SECRET,
            "ZALO_BOT_TOKEN": ZALO_TOKEN,
            "ZALO_BOT_API_URL": self.fakes["zalo"],
            "ZALO_BOT_WEBHOOK_SECRET": ZALO_SECRET,
            "TWILIO_ACCOUNT_SID": TWILIO_SID,
            "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
            "TWILIO_FROM": "ANSINH",
            "TWILIO_API_URL": self.fakes["sms"],  # inbound only: SMS goes out by the gateway
            "SMS_PROVIDER": "http",
            "SMS_GATEWAY_URL": self.fakes["sms"] + SEND_PATH,
            "SMS_GATEWAY_API_KEY": GATEWAY_KEY,
            "SMS_GATEWAY_HMAC_SECRET": GATEWAY_SECRET,
            # the fakes have no limits of their own: the system's own capacity is measured
            "TELEGRAM_RATE_PER_SECOND": "10000",
            "TELEGRAM_RATE_PER_CHAT": "10000",
            "ZALO_BOT_RATE_PER_SECOND": "10000",
            "SMS_RATE_SEGMENTS_PER_SECOND": "10000",
            **extra,
        }
        return ansinh_env(values)

    def start_servers(self, env: dict[str, str], count: int = 2) -> None:
        """`count` web processes on their own ports, ready when /health answers."""
        for n in range(count):
            port = free_port()
            self._spawn(_ansinh("serve"), env | {"ANSINH_PORT": str(port)}, f"serve-{n}")
            self.servers.append(f"http://127.0.0.1:{port}")
        for url in self.servers:
            wait_healthy(url)

    def start_worker(self, env: dict[str, str]) -> None:
        """The one worker that sends the outbox."""
        self.worker = self._spawn(_ansinh("worker"), env, "worker")

    def stop_worker(self) -> None:
        """SIGTERM: the worker finishes the sends under way and records them."""
        if self.worker is not None:
            _stop(self.worker)

    def tallies(self) -> dict[str, Counter[str]]:
        """What each fake received, by outbox id (SMS) or chat (Telegram, Zalo)."""
        found = {}
        for kind, url in self.fakes.items():
            answer = httpx.get(url + TALLY_PATH, timeout=30).json()
            found[kind] = Counter({key: int(n) for key, n in answer["sends"].items()})
        return found

    def logged_errors(self) -> list[str]:
        """Lines at ERROR level (or tracebacks) the ansinh processes logged."""
        lines = (
            f"{path.stem}: {line}"
            for path in sorted(self.logs.glob("*.log"))
            if not path.name.startswith("fake-")
            for line in path.read_text(errors="replace").splitlines()
        )
        return [line for line in lines if "ERROR" in line or "Traceback" in line]

    def stop(self) -> None:
        """End every process, the last started first."""
        for process in reversed(self._processes):
            _stop(process)

    def _spawn(
        self, command: list[str], env: dict[str, str], name: str, pipe: bool = False
    ) -> subprocess.Popen[str]:
        log = (self.logs / f"{name}.log").open("w")
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE if pipe else log,
            stderr=log,
            text=True,
        )
        self._processes.append(process)
        return process


def _ansinh(command: str) -> list[str]:
    script = Path(sys.executable).parent / "ansinh"
    return (
        [str(script), command] if script.exists() else [sys.executable, "-m", "cli.main", command]
    )


def wait_healthy(url: str, seconds: float = 90.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/health", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not become healthy")


def _stop(process: subprocess.Popen[str], seconds: float = 30.0) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def main() -> None:
    """Serve one counted fake provider."""
    parser = argparse.ArgumentParser(description="serve a fake provider that counts sends")
    parser.add_argument("kind", choices=FAKES)
    serve_fake(parser.parse_args().kind)


if __name__ == "__main__":
    main()
