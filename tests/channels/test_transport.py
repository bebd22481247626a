"""The adapters' aiohttp transport, over real sockets: the fakes, and a bare server of its own."""

from __future__ import annotations

import asyncio
import gzip
import socket
from collections.abc import AsyncIterator

import httpx
import pytest
from telegram.error import NetworkError, TimedOut
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter

from bot.channels.base import SendStatus
from bot.channels.http_sms import HttpSmsAdapter
from bot.channels.telegram_request import AiohttpRequest
from bot.channels.transport import AioHttp, http_client
from tests.channels.support import PHONE, outbound, settings
from tests.fakes.sms_gateway import SEND_PATH, FakeSmsGateway
from tests.fakes.telegram import FakeTelegram

KEY = {"Authorization": "Bearer gateway-key"}  # the fake gateway answers at once without it
OK = b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{"ok":true}'


class BareServer:
    """A few lines of HTTP/1.1 on a loopback port: counts connections, keeps what it was sent,
    answers every request with `answer` (None: closes the connection without a word), then
    waits for the next one on the same connection, or closes it unless `keep_alive`."""

    def __init__(self, answer: bytes | None = OK, *, keep_alive: bool = True) -> None:
        self.answer = answer
        self.keep_alive = keep_alive
        self.connections = 0
        self.requests: list[bytes] = []
        self.url = ""
        self._writers: set[asyncio.StreamWriter] = set()

    async def __aenter__(self) -> BareServer:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._server.close()
        for writer in self._writers:  # kept-alive connections: Server.close leaves them open
            writer.close()
        await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self._writers.add(writer)
        try:
            while head := await reader.readuntil(b"\r\n\r\n"):
                length = _content_length(head)
                self.requests.append(head + await reader.readexactly(length))
                if self.answer is None:
                    break
                writer.write(self.answer)
                await writer.drain()
                if not self.keep_alive:
                    break
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass  # the client left, or the test is over
        finally:
            writer.close()


def _content_length(head: bytes) -> int:
    for line in head.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value)
    return 0


def closed_port_url() -> str:
    """A loopback URL nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/api"


@pytest.fixture
async def http() -> AsyncIterator[AioHttp]:
    client = AioHttp(timeout=5.0, connections=4)
    yield client
    await client.aclose()


async def test_posts_json_as_httpx_did(http: AioHttp, fake_sms_gateway: FakeSmsGateway) -> None:
    body = {"phone": "84912345678", "message": "Tiền đã về"}
    answer = await http.post_json(fake_sms_gateway.url + SEND_PATH, body, KEY)
    assert (answer.status_code, answer.is_success, answer.json()["code"]) == (200, True, 0)
    [request] = fake_sms_gateway.requests
    assert request.body == body
    assert request.raw == '{"phone":"84912345678","message":"Tiền đã về"}'.encode()
    assert request.headers["content-type"] == "application/json"
    assert answer.headers["CONTENT-TYPE"] == "application/json"  # any case, as with httpx


async def test_keeps_the_connection_alive(http: AioHttp) -> None:
    async with BareServer() as server:
        for _ in range(5):
            assert (await http.request("GET", server.url + "/")).json() == {"ok": True}
    assert server.connections == 1


async def test_slow_answer_raises_httpx_read_timeout(fake_sms_gateway: FakeSmsGateway) -> None:
    quick = AioHttp(timeout=0.2)
    fake_sms_gateway.delay = 1.0
    try:
        with pytest.raises(httpx.ReadTimeout):
            await quick.post_json(fake_sms_gateway.url + SEND_PATH, {}, KEY)
    finally:
        await quick.aclose()


async def test_refused_connection_raises_httpx_connect_error(http: AioHttp) -> None:
    with pytest.raises(httpx.ConnectError):
        await http.request("GET", closed_port_url())


async def test_connection_closed_without_answer_raises_a_protocol_error(http: AioHttp) -> None:
    async with BareServer(answer=None) as server:
        with pytest.raises(httpx.RemoteProtocolError):
            await http.request("POST", server.url + "/", content=b"{}")


async def test_reopens_after_close(http: AioHttp, fake_sms_gateway: FakeSmsGateway) -> None:
    await http.post_json(fake_sms_gateway.url + SEND_PATH, {}, {})
    await http.aclose()
    await http.aclose()  # twice is harmless
    answer = await http.post_json(fake_sms_gateway.url + SEND_PATH, {}, {})
    assert answer.status_code == 401  # no key: the gateway's own answer


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        (None, "network"),  # closed without an answer
        (b"HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n{", "network"),  # cut short
        (b"HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n{", "timeout"),  # the rest never came
    ],
)
async def test_sms_adapter_classifies_a_broken_answer_as_retryable(
    answer: bytes | None, reason: str
) -> None:
    async with BareServer(answer, keep_alive=reason == "timeout") as server:
        adapter = gateway_adapter(server.url + SEND_PATH, timeout=0.3)
        result = await adapter.send(outbound(f"tel:{PHONE}"))
        await adapter.aclose()
    assert (result.status, result.reason) == (SendStatus.RETRYABLE, reason)


async def test_sms_adapter_classifies_a_refused_connection_as_retryable() -> None:
    adapter = gateway_adapter(closed_port_url())
    result = await adapter.send(outbound(f"tel:{PHONE}"))
    await adapter.aclose()
    assert (result.status, result.reason) == (SendStatus.RETRYABLE, "network")


def gateway_adapter(url: str, timeout: float = 2.0) -> HttpSmsAdapter:
    config = settings(sms_provider="http", sms_gateway_url=url, sms_gateway_api_key="k")
    return HttpSmsAdapter(config, timeout=timeout)


async def test_httpx_client_sends_through_aiohttp_and_decodes_gzip() -> None:
    body = gzip.compress(b'{"ok":true}')
    answer = (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\n"
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
        + body
    )
    async with BareServer(answer) as server, http_client(2.0) as client:
        first = await client.post(server.url + "/a", json={"x": 1}, params={"q": "1"})
        second = await client.post(server.url + "/b", data={"y": "2"})
    assert first.json() == second.json() == {"ok": True}
    assert first.request.url.params["q"] == "1"
    assert server.requests[0].startswith(b"POST /a?q=1 HTTP/1.1\r\n")
    assert server.requests[0].endswith(b'{"x":1}')
    assert server.requests[1].endswith(b"y=2")
    assert server.connections == 1


async def test_httpx_client_times_out_and_fails_as_httpx_does(
    fake_sms_gateway: FakeSmsGateway,
) -> None:
    fake_sms_gateway.delay = 1.0
    async with http_client(0.2) as client:
        with pytest.raises(httpx.ReadTimeout):
            await client.post(fake_sms_gateway.url + SEND_PATH, json={}, headers=KEY)
        with pytest.raises(httpx.ConnectError):
            await client.get(closed_port_url())


async def test_telegram_request_raises_what_ptb_expects() -> None:
    request = AiohttpRequest(connections=2, timeout=0.3)
    try:
        with pytest.raises(NetworkError) as refused:
            await request.post(closed_port_url() + "/getMe")
        async with BareServer(answer=None) as server:
            with pytest.raises(NetworkError):
                await request.post(server.url + "/getMe")
    finally:
        await request.shutdown()
    assert not isinstance(refused.value, TimedOut)


async def test_telegram_request_times_out(fake_telegram: FakeTelegram) -> None:
    request = AiohttpRequest(connections=2, timeout=0.2)
    fake_telegram.delay = 1.0
    url = f"{fake_telegram.url}/bot{fake_telegram.token}/sendMessage"
    text = RequestData(
        [RequestParameter.from_input(k, v) for k, v in {"chat_id": 1, "text": "a"}.items()]
    )
    try:
        with pytest.raises(TimedOut):
            await request.post(url, text)
    finally:
        await request.shutdown()


async def test_telegram_request_sends_files_as_multipart() -> None:
    from telegram import InputFile

    document = InputFile(b"file body", filename="list.txt")
    data = RequestData(
        [
            RequestParameter.from_input("chat_id", 42),
            RequestParameter.from_input("document", document),
        ]
    )
    request = AiohttpRequest(connections=1, timeout=2.0)
    async with BareServer() as server:
        status, payload = await request.do_request(server.url + "/sendDocument", "POST", data)
    await request.shutdown()
    sent = server.requests[0]
    assert (status, payload) == (200, b'{"ok":true}')
    assert b"multipart/form-data; boundary=" in sent
    assert b'name="chat_id"' in sent and b"\r\n\r\n42\r\n" in sent
    assert b'filename="list.txt"' in sent and b"file body" in sent


async def test_failures_do_not_repeat_the_url(http: AioHttp) -> None:
    """A Bot API URL carries the bot token: no exception text may show it."""
    async with BareServer(b"HTTP/1.1 200 OK\r\nbroken header line\r\n\r\n") as server:
        with pytest.raises(httpx.HTTPError) as caught:
            await http.request("POST", server.url + "/bot123:SECRET/sendMessage")
    with pytest.raises(httpx.HTTPError) as invalid:
        await http.request("GET", "http://[bot123:SECRET/x")
    assert "SECRET" not in str(caught.value) + str(invalid.value)
