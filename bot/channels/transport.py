"""The adapters' HTTP, sent by aiohttp: kept-alive connections, httpx's error types.

httpx over httpcore, anyio and h11 spends about 1 ms of CPU per request on a 2-core machine;
aiohttp, whose parser and connection pool are compiled, a fifth to a third of that. `AioHttp`
sends; `AiohttpTransport` puts it under an `httpx.AsyncClient`, so an adapter keeps httpx's API
(and its exceptions, which `AioHttp` raises too: adapters classify one vocabulary).
"""

from __future__ import annotations

import asyncio
import json
import ssl
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import aiohttp
import certifi
import httpx
from multidict import CIMultiDictProxy
from yarl import URL

KEEPALIVE_SECONDS = 5.0  # httpx's default: an idle connection is dropped before most servers do
Headers = Mapping[str, str] | Iterable[tuple[str, str]]


@dataclass(frozen=True, slots=True)
class Answer:
    """A provider's answer, read whole: what the adapters' classify functions read of it."""

    status_code: int
    headers: CIMultiDictProxy[str]  # case-insensitive, like httpx's
    content: bytes

    @property
    def is_success(self) -> bool:
        """A 2xx status."""
        return 200 <= self.status_code < 300

    def json(self) -> Any:
        """The body as JSON (ValueError when it is not)."""
        return json.loads(self.content)


def client_timeout(
    connect: float | None, read: float | None, pool: float | None = None
) -> aiohttp.ClientTimeout:
    """httpx's timeouts in aiohttp's terms: `connect` there also covers waiting for the pool."""
    wait = None if connect is None or pool is None else connect + pool
    return aiohttp.ClientTimeout(total=None, connect=wait, sock_connect=connect, sock_read=read)


class AioHttp:
    """One aiohttp session, opened on first use in the running event loop."""

    def __init__(
        self, *, timeout: float, connections: int = 100, keepalive: float = KEEPALIVE_SECONDS
    ) -> None:
        self.timeout = client_timeout(timeout, timeout, timeout)
        self._connections = max(1, connections)
        self._keepalive = keepalive
        self._session: aiohttp.ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def session(self) -> aiohttp.ClientSession:
        """The session of the running loop (a new one after `aclose` or in another loop)."""
        loop = asyncio.get_running_loop()
        if self._session is None or self._session.closed or self._loop is not loop:
            connector = aiohttp.TCPConnector(
                limit=self._connections,
                keepalive_timeout=self._keepalive,
                ssl=_certifi_context(),  # the certificates httpx trusts
            )
            # trust_env stays False: settings, not HTTP_PROXY and the like, configure sending;
            # no provider needs cookies, and keeping none saves a jar lookup per request
            self._session = aiohttp.ClientSession(
                connector=connector, timeout=self.timeout, cookie_jar=aiohttp.DummyCookieJar()
            )
            self._loop = loop
        return self._session

    async def request(
        self,
        method: str,
        url: str | URL,
        *,
        content: bytes | aiohttp.FormData | None = None,
        headers: Headers | None = None,
        timeouts: aiohttp.ClientTimeout | None = None,
        decompress: bool = True,
    ) -> Answer:
        """Send one request and read the whole answer; failures raise httpx's exceptions."""
        with httpx_errors():
            async with self.session().request(
                method,
                url,
                data=content,
                headers=headers,
                timeout=timeouts or self.timeout,
                allow_redirects=False,
                auto_decompress=decompress,
            ) as response:
                body = await response.read()
                return Answer(response.status, response.headers, body)

    async def post_json(self, url: str | URL, body: Any, headers: Mapping[str, str]) -> Answer:
        """POST `body` as JSON, encoded as httpx encodes it."""
        content = json.dumps(body, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        merged = {"Content-Type": "application/json", **headers}
        return await self.request("POST", url, content=content.encode(), headers=merged)

    async def aclose(self) -> None:
        """Close the connections (a later request opens new ones)."""
        session, self._session = self._session, None
        if session is not None and not session.closed and self._loop is _running_loop():
            await session.close()


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


_CONTEXT: list[ssl.SSLContext] = []


def _certifi_context() -> ssl.SSLContext:
    """One verifying TLS context for the process (building one costs milliseconds)."""
    if not _CONTEXT:
        _CONTEXT.append(ssl.create_default_context(cafile=certifi.where()))
    return _CONTEXT[0]


# aiohttp's failures, most specific first, as the httpx exception adapters already classify
_ERRORS: tuple[tuple[type[BaseException], type[httpx.TransportError]], ...] = (
    (aiohttp.ConnectionTimeoutError, httpx.ConnectTimeout),
    (aiohttp.ServerTimeoutError, httpx.ReadTimeout),
    (TimeoutError, httpx.TimeoutException),
    (aiohttp.ClientConnectorError, httpx.ConnectError),
    (aiohttp.ServerDisconnectedError, httpx.RemoteProtocolError),
    (aiohttp.ClientPayloadError, httpx.RemoteProtocolError),
    (aiohttp.ClientResponseError, httpx.RemoteProtocolError),
    (aiohttp.InvalidURL, httpx.UnsupportedProtocol),
    (aiohttp.NonHttpUrlClientError, httpx.UnsupportedProtocol),
    (aiohttp.ClientConnectionError, httpx.ReadError),
    (aiohttp.ClientError, httpx.TransportError),
)


@contextmanager
def httpx_errors() -> Iterator[None]:
    """Raise an aiohttp failure as the matching httpx exception."""
    try:
        yield
    except (aiohttp.ClientError, TimeoutError) as error:
        # these two name the URL, and a Bot API URL carries the bot token
        told = not isinstance(error, aiohttp.ClientResponseError | aiohttp.InvalidURL)
        message = f"{type(error).__name__}: {error}" if told else type(error).__name__
        for caught, raised in _ERRORS:
            if isinstance(error, caught):
                raise raised(message) from error
        raise  # pragma: no cover (aiohttp.ClientError closes the list)


class AiohttpTransport(httpx.AsyncBaseTransport):
    """An httpx transport that sends with `AioHttp`; httpx still builds, decodes and times out."""

    def __init__(self, http: AioHttp) -> None:
        self.http = http

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send an httpx request; the answer comes back read, still encoded for httpx to decode."""
        limits = request.extensions.get("timeout", {})
        timeouts = client_timeout(limits.get("connect"), limits.get("read"), limits.get("pool"))
        content = await request.aread()
        answer = await self.http.request(
            request.method,
            str(request.url),
            content=content or None,
            headers=request.headers.multi_items(),
            timeouts=timeouts,
            decompress=False,
        )
        return httpx.Response(
            answer.status_code,
            headers=list(answer.headers.items()),
            content=answer.content,
            request=request,
        )

    async def aclose(self) -> None:
        """Close the session."""
        await self.http.aclose()


def http_client(timeout: float, connections: int = 100) -> httpx.AsyncClient:
    """An httpx client with one short timeout, sending through aiohttp.

    Settings, not the environment, configure it (no proxy variables, no .netrc).
    """
    transport = AiohttpTransport(AioHttp(timeout=timeout, connections=connections))
    return httpx.AsyncClient(timeout=httpx.Timeout(timeout), trust_env=False, transport=transport)
