"""Security headers on every response (pure ASGI), with a policy of their own for the docs pages.

The API answers JSON (or files): its Content-Security-Policy allows nothing at all. The docs
pages (Swagger UI, ReDoc) load their scripts and styles from a CDN and start with an inline
script; their policy allows those hosts and exactly that inline script, by its SHA-256 hash.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable, Iterable

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

API_PREFIX = "/api/"
JSON_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
HSTS = "max-age=31536000"
# What FastAPI's Swagger UI and ReDoc pages load (fastapi.openapi.docs).
DOCS_SCRIPTS = "https://cdn.jsdelivr.net"
DOCS_STYLES = "https://cdn.jsdelivr.net https://fonts.googleapis.com"
DOCS_IMAGES = "'self' data: https://fastapi.tiangolo.com https://cdn.redoc.ly"
DOCS_FONTS = "https://fonts.gstatic.com"
_INLINE_SCRIPT = re.compile(rb"<script>(.*?)</script>", re.S)
FIXED_HEADERS = (
    ("x-content-type-options", "nosniff"),
    ("x-frame-options", "DENY"),
    ("referrer-policy", "no-referrer"),
)


def script_hashes(html: bytes) -> list[str]:
    """CSP sources ('sha256-…') of the inline scripts of an HTML page."""
    return [
        "'sha256-" + base64.b64encode(hashlib.sha256(body).digest()).decode() + "'"
        for body in _INLINE_SCRIPT.findall(html)
    ]


def docs_policy(html: bytes) -> str:
    """The Content-Security-Policy of a docs page: its CDN, its own inline scripts, nothing else."""
    scripts = " ".join([DOCS_SCRIPTS, *script_hashes(html)])
    return (
        f"default-src 'none'; script-src {scripts}; style-src {DOCS_STYLES} 'unsafe-inline'; "
        f"img-src {DOCS_IMAGES}; font-src {DOCS_FONTS}; connect-src 'self'; worker-src blob:; "
        "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    )


class SecurityHeaders:
    """Adds nosniff, frame denial, no referrer, a CSP, HSTS (https) and no-store (/api/*)."""

    def __init__(
        self, app: ASGIApp, *, docs_paths: Iterable[str] = (), https: bool = False
    ) -> None:
        self.app = app
        self.docs_paths = frozenset(path for path in docs_paths if path)
        self.https = https

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if path in self.docs_paths:
            await self.app(scope, receive, _buffered(send, self._decorate, path))
            return

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                self._decorate(MutableHeaders(scope=message), path, None)
            await send(message)

        await self.app(scope, receive, sending)

    def _decorate(self, headers: MutableHeaders, path: str, page: bytes | None) -> None:
        for name, value in FIXED_HEADERS:
            headers.setdefault(name, value)
        policy = docs_policy(page) if page is not None else JSON_POLICY
        headers.setdefault("content-security-policy", policy)
        if self.https:
            headers.setdefault("strict-transport-security", HSTS)
        if path.startswith(API_PREFIX):
            headers.setdefault("cache-control", "no-store")


Decorate = Callable[[MutableHeaders, str, bytes | None], None]


def _buffered(send: Send, decorate: Decorate, path: str) -> Send:
    """`send` that holds a (small) docs page until its body is whole, to hash its scripts."""
    start: Message | None = None
    chunks: list[bytes] = []

    async def sending(message: Message) -> None:
        nonlocal start
        if message["type"] == "http.response.start":
            start = message
            return
        if message["type"] != "http.response.body" or start is None:
            await send(message)
            return
        chunks.append(message.get("body", b""))
        if message.get("more_body", False):
            return
        page = b"".join(chunks)
        decorate(MutableHeaders(scope=start), path, page)
        await send(start)
        await send({"type": "http.response.body", "body": page, "more_body": False})

    return sending
