"""A fake provider (tests/fakes) served in its own process, so it never shares the sender's CPU.

`python -m bench.provider sms --delay 0.1` prints the base URL it serves on, then serves until
it is terminated. `FakeServer` starts and stops one from a benchmark.
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
from collections import deque
from types import TracebackType
from typing import Any

import uvicorn

from tests.fakes.base import FakeProvider
from tests.fakes.sms_gateway import SEND_PATH, FakeSmsGateway
from tests.fakes.telegram import FakeTelegram

API_KEY = "bench-gateway-key"
TELEGRAM_TOKEN = "123456:BENCH-token"
KEEP_REQUESTS = 100  # a fake records requests for tests; a benchmark keeps only the last few


def make_fake(kind: str, delay: float) -> FakeProvider:
    """The fake of `kind` ('sms' gateway or 'telegram'), answering after `delay` seconds."""
    fake: FakeProvider = FakeSmsGateway(API_KEY) if kind == "sms" else FakeTelegram(TELEGRAM_TOKEN)
    fake.delay = delay
    fake.requests = deque(maxlen=KEEP_REQUESTS)  # type: ignore[assignment]
    return fake


def serve(kind: str, delay: float) -> None:
    """Serve the fake on a free loopback port; print its URL first."""
    # IPPROTO_TCP named: asyncio sets TCP_NODELAY only on sockets that say so, and without it
    # every answer on a kept-alive connection waits ~40 ms for the client's delayed ACK
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(4096)  # before the URL is printed: a client may connect at once
    print(f"http://127.0.0.1:{listener.getsockname()[1]}", flush=True)
    config = uvicorn.Config(
        make_fake(kind, delay).app,
        log_level="warning",
        lifespan="off",
        access_log=False,
        backlog=4096,
        timeout_keep_alive=60,
    )
    uvicorn.Server(config).run(sockets=[listener])


class FakeServer:
    """A fake provider in a child process, for a `with` block."""

    def __init__(self, kind: str, delay: float = 0.0) -> None:
        self.kind, self.delay = kind, delay
        self.url = ""
        self._process: subprocess.Popen[str] | None = None

    def __enter__(self) -> FakeServer:
        command = [sys.executable, "-m", "bench.provider", self.kind, "--delay", str(self.delay)]
        self._process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
        assert self._process.stdout is not None
        self.url = self._process.stdout.readline().strip()
        if not self.url:
            raise RuntimeError("the fake provider did not start")
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.wait(timeout=10)

    @property
    def pid(self) -> int:
        """The process id of the server."""
        assert self._process is not None
        return self._process.pid

    def settings(self) -> dict[str, Any]:
        """Settings that point the real adapter at this fake."""
        if self.kind == "sms":
            return {
                "sms_provider": "http",
                "sms_gateway_url": self.url + SEND_PATH,
                "sms_gateway_api_key": API_KEY,
            }
        return {"telegram_token": TELEGRAM_TOKEN, "telegram_api_url": self.url + "/bot"}


def main() -> None:
    """Parse the arguments and serve."""
    parser = argparse.ArgumentParser(description="serve a fake provider")
    parser.add_argument("kind", choices=["sms", "telegram"])
    parser.add_argument("--delay", type=float, default=0.0, help="seconds before each answer")
    args = parser.parse_args()
    serve(args.kind, args.delay)


if __name__ == "__main__":
    main()
