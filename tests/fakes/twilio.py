"""A fake Twilio REST API: POST /2010-04-01/Accounts/{sid}/Messages.json."""

from __future__ import annotations

import base64
import itertools
from email.utils import formatdate
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.fakes.base import FakeProvider, json_response

ERRORS = {
    20003: "Authenticate",
    20429: "Too Many Requests",
    21211: "The 'To' number {to} is not a valid phone number.",
    21614: "'To' number {to} is not a valid mobile number",
    21610: "Attempt to send to unsubscribed recipient",
    20500: "An internal server error has occurred",
}


class FakeTwilio(FakeProvider):
    """Answers Message resources and error JSON as Twilio does."""

    def __init__(
        self, account_sid: str = "AC" + "0" * 32, auth_token: str = "twilio-token"
    ) -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self._ids = itertools.count(1)
        super().__init__()

    def routes(self) -> list[Route]:
        return [Route("/2010-04-01/Accounts/{sid}/Messages.json", self.create, methods=["POST"])]

    def key(self, address: str) -> str:
        return address.removeprefix("tel:")

    async def create(self, request: Request) -> Response:
        recorded = await self.record(request)
        form = recorded.body if isinstance(recorded.body, dict) else {}
        if not self._authorized(request):
            return _error(401, 20003)
        await self.pause()
        retry_after = self.take_throttle()
        if retry_after is not None:
            return _error(429, 20429, headers={"Retry-After": str(int(retry_after))})
        failure = self.take_failure()
        if failure is not None:
            default = 20500 if failure.status >= 500 else 21211
            return _error(failure.status, failure.code or default, form.get("To", ""))
        to = str(form.get("To", ""))
        if self.is_blocked(to):
            return _error(400, 21211, to)
        return json_response(self._message(form), status=201)

    def _authorized(self, request: Request) -> bool:
        expected = f"{self.account_sid}:{self.auth_token}".encode()
        given = request.headers.get("authorization", "")
        return given == "Basic " + base64.b64encode(expected).decode() and (
            request.path_params["sid"] == self.account_sid
        )

    def _message(self, form: dict[str, Any]) -> dict[str, Any]:
        sid = f"SM{next(self._ids):032x}"
        now = formatdate(usegmt=True).replace("GMT", "+0000")
        uri = f"/2010-04-01/Accounts/{self.account_sid}/Messages/{sid}"
        return {
            "account_sid": self.account_sid,
            "api_version": "2010-04-01",
            "body": form.get("Body", ""),
            "date_created": now,
            "date_sent": None,
            "date_updated": now,
            "direction": "outbound-api",
            "error_code": None,
            "error_message": None,
            "from": form.get("From"),
            "messaging_service_sid": None,
            "num_media": "0",
            "num_segments": "1",
            "price": None,
            "price_unit": "USD",
            "sid": sid,
            "status": "queued",
            "to": form.get("To"),
            "uri": f"{uri}.json",
            "subresource_uris": {"media": f"{uri}/Media.json"},
        }


def _error(status: int, code: int, to: str = "", headers: dict[str, str] | None = None) -> Response:
    body = {
        "code": code,
        "message": ERRORS.get(code, "Error").format(to=to),
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }
    return json_response(body, status, headers)
