"""A fake brandname SMS gateway speaking the default mapping of bot.channels.http_sms."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.fakes.base import FakeProvider, json_response

SEND_PATH = "/api/sms/send"


class FakeSmsGateway(FakeProvider):
    """POST /api/sms/send with a bearer key; answers {code, message, message_id}."""

    def __init__(self, api_key: str = "gateway-key") -> None:
        self.api_key = api_key
        self._ids = itertools.count(1)
        super().__init__()

    def routes(self) -> list[Route]:
        return [Route(SEND_PATH, self.send, methods=["POST"])]

    def key(self, address: str) -> str:
        return address.removeprefix("tel:").removeprefix("+")

    async def send(self, request: Request) -> Response:
        recorded = await self.record(request)
        body = recorded.body if isinstance(recorded.body, dict) else {}
        if request.headers.get("authorization") != f"Bearer {self.api_key}":
            return json_response({"code": "unauthorized", "message": "Invalid API key"}, 401)
        await self.pause()
        retry_after = self.take_throttle()
        if retry_after is not None:
            return json_response(
                {"code": "rate_limited", "message": "Slow down"},
                429,
                {"Retry-After": str(int(retry_after))},
            )
        failure = self.take_failure()
        if failure is not None:
            code = failure.code or ("server_error" if failure.status >= 500 else "bad_request")
            return json_response(
                {"code": code, "message": failure.description or code}, failure.status
            )
        if self.is_blocked(str(body.get("phone", ""))):
            return json_response({"code": "invalid_phone", "message": "Invalid number"}, 400)
        return json_response({"code": 0, "message": "OK", "message_id": f"gw{next(self._ids)}"})


def signed(secret: str, body: dict[str, Any], timestamp: int) -> tuple[bytes, dict[str, str]]:
    """A webhook body and its headers, signed as the gateway signs them."""
    raw = json.dumps(body).encode()
    mac = hmac.new(secret.encode(), str(timestamp).encode() + b"." + raw, hashlib.sha256)
    return raw, {"x-timestamp": str(timestamp), "x-signature": mac.hexdigest()}
