"""A fake Telegram Bot API: getMe, sendMessage, setWebhook, deleteWebhook, getUpdates."""

from __future__ import annotations

import itertools
import json
import time
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.fakes.base import FakeProvider, Recorded, json_response

BOT_ID = 7000000001
BOT_USER = {
    "id": BOT_ID,
    "is_bot": True,
    "first_name": "An sinh Lạng Sơn",
    "username": "ansinh_langson_bot",
    "can_join_groups": False,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}


class FakeTelegram(FakeProvider):
    """Speaks the Bot API at /bot<token>/<method> with Telegram's JSON shapes."""

    def __init__(self, token: str = "123456:TEST-token") -> None:
        self.token = token
        self.webhook: dict[str, Any] = {}
        self.updates: list[dict[str, Any]] = []
        self._message_ids = itertools.count(1)
        super().__init__()

    def routes(self) -> list[Route]:
        return [Route("/bot{token}/{method}", self.endpoint, methods=["GET", "POST"])]

    async def endpoint(self, request: Request) -> Response:
        recorded = await self.record(request)
        params = _decoded(recorded.body)
        if request.path_params["token"] != self.token:
            return _error(401, "Unauthorized")
        method = request.path_params["method"]
        handler = {
            "getMe": lambda: _ok(BOT_USER),
            "setWebhook": lambda: self._set_webhook(params),
            "deleteWebhook": lambda: self._delete_webhook(),
            "getUpdates": lambda: self._get_updates(),
        }.get(method)
        if method == "sendMessage":
            return await self._send_message(params)
        return handler() if handler else _error(404, "Not Found")

    async def _send_message(self, params: dict[str, Any]) -> Response:
        await self.pause()
        retry_after = self.take_throttle()
        if retry_after is not None:
            return json_response(
                {
                    "ok": False,
                    "error_code": 429,
                    "description": f"Too Many Requests: retry after {int(retry_after)}",
                    "parameters": {"retry_after": int(retry_after)},
                },
                status=429,
            )
        failure = self.take_failure()
        if failure is not None:
            return _error(failure.status, failure.description or _phrase(failure.status))
        chat_id = str(params.get("chat_id", ""))
        if self.is_blocked(chat_id):
            return _error(403, "Forbidden: bot was blocked by the user")
        return _ok(self._message(chat_id, params))

    def _message(self, chat_id: str, params: dict[str, Any]) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "from": BOT_USER,
            "chat": {"id": int(chat_id), "type": "private", "first_name": "Bà"},
            "date": int(time.time()),
            "text": str(params.get("text", "")),
        }
        markup = params.get("reply_markup")
        if isinstance(markup, dict) and "inline_keyboard" in markup:  # Telegram echoes only these
            message["reply_markup"] = markup
        return message

    def _set_webhook(self, params: dict[str, Any]) -> Response:
        self.webhook = {"url": params.get("url"), "secret_token": params.get("secret_token")}
        return json_response({"ok": True, "result": True, "description": "Webhook was set"})

    def _delete_webhook(self) -> Response:
        self.webhook = {}
        return json_response({"ok": True, "result": True, "description": "Webhook was deleted"})

    def _get_updates(self) -> Response:
        updates, self.updates = self.updates, []
        return _ok(updates)

    def messages_sent(self) -> list[dict[str, Any]]:
        """The parameters of every sendMessage call, decoded."""
        return [_decoded(r.body) for r in self.sent("/sendMessage")]


def _decoded(body: Any) -> dict[str, Any]:
    """python-telegram-bot posts a form whose object values are JSON-encoded."""
    if not isinstance(body, dict):
        return {}
    return {k: _maybe_json(v) for k, v in body.items()}


def _maybe_json(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _ok(result: Any) -> Response:
    return json_response({"ok": True, "result": result})


def _error(status: int, description: str) -> Response:
    return json_response({"ok": False, "error_code": status, "description": description}, status)


def _phrase(status: int) -> str:
    return {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable"}.get(
        status, "Error"
    )


# --- updates as Telegram posts them to a webhook ------------------------------------------------
def _chat(chat_id: int) -> dict[str, Any]:
    return {"id": chat_id, "type": "private", "first_name": "Nguyễn", "last_name": "Thị Lan"}


def _user(user_id: int) -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": "Nguyễn", "last_name": "Thị Lan"}


def message_update(update_id: int, chat_id: int, **content: Any) -> dict[str, Any]:
    """An update carrying a message from user `chat_id` in their private chat."""
    message = {
        "message_id": update_id * 10,
        "date": 1_760_000_000,
        "chat": _chat(chat_id),
        "from": _user(chat_id),
        **content,
    }
    return {"update_id": update_id, "message": message}


def text_update(update_id: int, chat_id: int, text: str) -> dict[str, Any]:
    """A text message."""
    return message_update(update_id, chat_id, text=text)


def contact_update(update_id: int, chat_id: int, phone: str, user_id: int | None) -> dict[str, Any]:
    """A shared contact; user_id equal to chat_id means the sender's own number."""
    contact = {"phone_number": phone, "first_name": "Lan", "user_id": user_id}
    return message_update(update_id, chat_id, contact=contact)


def location_update(update_id: int, chat_id: int, lat: float, lon: float) -> dict[str, Any]:
    """A shared location."""
    return message_update(update_id, chat_id, location={"latitude": lat, "longitude": lon})


__all__ = ["FakeTelegram", "Recorded"]
