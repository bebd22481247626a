"""A fake ZNS: template sends and Zalo OAuth v4 refresh with single-use refresh tokens."""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.fakes.base import FakeProvider, json_response

NOT_ON_ZALO = -118
TOKEN_INVALID = -124
QUOTA_EXCEEDED = -144


class FakeZns(FakeProvider):
    """POST /message/template and POST /v4/oa/access_token, as Zalo answers them."""

    def __init__(self, app_id: str = "app-1", secret_key: str = "app-secret") -> None:
        self.app_id = app_id
        self.secret_key = secret_key
        self.refresh_delay = 0.0
        self._tokens_lock = threading.Lock()
        self._counter = itertools.count(1)
        self.access_tokens: set[str] = set()
        self.refresh_tokens: set[str] = set()
        self.spent: set[str] = set()
        self.reused: list[str] = []  # spent refresh tokens presented again: must stay empty
        self.refreshes = 0
        super().__init__()

    def routes(self) -> list[Route]:
        return [
            Route("/message/template", self.send_template, methods=["POST"]),
            Route("/v4/oa/access_token", self.refresh, methods=["POST"]),
        ]

    def key(self, address: str) -> str:
        return address.removeprefix("tel:").removeprefix("+")

    def issue_refresh_token(self) -> str:
        """A fresh refresh token, as an operator would copy it from the Zalo console."""
        token = f"rt-{next(self._counter)}"
        with self._tokens_lock:
            self.refresh_tokens.add(token)
        return token

    def invalidate_access_tokens(self) -> None:
        """Every access token issued so far stops working (as after expiry)."""
        with self._tokens_lock:
            self.access_tokens.clear()

    async def send_template(self, request: Request) -> Response:
        recorded = await self.record(request)
        body = recorded.body if isinstance(recorded.body, dict) else {}
        await self.pause()
        retry_after = self.take_throttle()
        if retry_after is not None:
            return json_response(
                {"error": -429, "message": "Too many requests"},
                status=429,
                headers={"Retry-After": str(int(retry_after))},
            )
        failure = self.take_failure()
        if failure is not None:
            return _error(failure.code or -1, failure.description or "Error", failure.status)
        with self._tokens_lock:
            valid = request.headers.get("access_token") in self.access_tokens
        if not valid:
            return _error(TOKEN_INVALID, "Access token is invalid")
        if self.is_blocked(str(body.get("phone", ""))):
            return _error(NOT_ON_ZALO, "Zalo account does not exist or is disabled")
        msg_id = f"zns{next(self._counter)}"
        return json_response(
            {
                "error": 0,
                "message": "Success",
                "data": {
                    "msg_id": msg_id,
                    "sent_time": str(int(time.time() * 1000)),
                    "quota": {"dailyQuota": "500", "remainingQuota": "499"},
                },
            }
        )

    async def refresh(self, request: Request) -> Response:
        recorded = await self.record(request)
        form = recorded.body if isinstance(recorded.body, dict) else {}
        if (
            request.headers.get("secret_key") != self.secret_key
            or form.get("app_id") != self.app_id
        ):
            return _oauth_error(-14002, "Invalid app_id or secret_key")
        if form.get("grant_type") != "refresh_token":
            return _oauth_error(-14003, "Invalid grant_type")
        token = str(form.get("refresh_token", ""))
        with self._tokens_lock:  # take the token before the delay, as a real server would
            valid = token in self.refresh_tokens
            self.refresh_tokens.discard(token)
            if not valid and token in self.spent:
                self.reused.append(token)
            self.spent.add(token)
        await asyncio.sleep(self.refresh_delay)
        if not valid:
            return _oauth_error(-14014, "Invalid refresh token")
        return json_response(self._new_pair())

    def _new_pair(self) -> dict[str, Any]:
        n = next(self._counter)
        access, refresh = f"at-{n}", f"rt-{n}"
        with self._tokens_lock:
            self.access_tokens.add(access)
            self.refresh_tokens.add(refresh)
            self.refreshes += 1
        return {"access_token": access, "refresh_token": refresh, "expires_in": "90000"}


def _error(code: int, message: str, status: int = 200) -> Response:
    return json_response({"error": code, "message": message}, status)


def _oauth_error(code: int, reason: str) -> Response:
    return json_response(
        {
            "error": code,
            "error_name": "Invalid parameter",
            "error_reason": reason,
            "ref_doc": "https://developers.zalo.me/docs/",
            "error_description": reason,
        }
    )
