"""A fake Zalo Bot platform API: getMe, sendMessage, setWebhook (Telegram-like shapes)."""

from __future__ import annotations

import itertools
import time
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.fakes.base import FakeProvider, json_response


class FakeZaloBot(FakeProvider):
    """Speaks POST /bot<token>/<method>; answers {ok, result} or {ok: false, error_code, ...}."""

    def __init__(self, token: str = "zalo-bot-token") -> None:
        self.token = token
        self.webhook: dict[str, Any] = {}
        self._ids = itertools.count(1)
        super().__init__()

    def routes(self) -> list[Route]:
        return [Route("/bot{token}/{method}", self.endpoint, methods=["POST"])]

    async def endpoint(self, request: Request) -> Response:
        recorded = await self.record(request)
        body = recorded.body if isinstance(recorded.body, dict) else {}
        if request.path_params["token"] != self.token:
            return _error(401, "Unauthorized")
        method = request.path_params["method"]
        if method == "sendMessage":
            return await self._send(body)
        if method == "getMe":
            return _ok({"id": "bot-1", "account_name": "ansinh.bot", "display_name": "An sinh"})
        if method == "setWebhook":
            self.webhook = body
            return _ok({"url": body.get("url"), "updated_at": int(time.time() * 1000)})
        return _error(404, "Method not found")

    async def _send(self, body: dict[str, Any]) -> Response:
        await self.pause()
        retry_after = self.take_throttle()
        if retry_after is not None:
            return json_response(
                {"ok": False, "error_code": 429, "description": "Too Many Requests"},
                status=429,
                headers={"Retry-After": str(int(retry_after))},
            )
        failure = self.take_failure()
        if failure is not None:
            return _error(failure.status, failure.description or "Internal error")
        if self.is_blocked(str(body.get("chat_id", ""))):
            return _error(403, "User has blocked the bot")
        if not body.get("chat_id") or not body.get("text"):
            return _error(400, "Bad Request: chat_id and text are required")
        return _ok({"message_id": f"zm{next(self._ids)}", "date": int(time.time() * 1000)})


def _ok(result: Any) -> Response:
    return json_response({"ok": True, "result": result})


def _error(status: int, description: str) -> Response:
    return json_response({"ok": False, "error_code": status, "description": description}, status)


def text_event(chat_id: str, text: str, message_id: str = "m1") -> dict[str, Any]:
    """A 'message.text.received' webhook event."""
    return {
        "event_name": "message.text.received",
        "message": {
            "from": {"id": chat_id, "display_name": "Lan", "is_bot": False},
            "chat": {"id": chat_id, "chat_type": "PRIVATE"},
            "text": text,
            "message_id": message_id,
            "date": 1_760_000_000_000,
        },
    }
