"""Body and upload size limits (413, nothing written), and security headers on every answer."""

from __future__ import annotations

import base64
import hashlib
import io
import re
import zipfile
from collections.abc import AsyncIterator

import pytest

from api.limits import DEFAULT_LIMIT, MIB
from models.officers.roles import Role
from tests.admin.helpers import Running as Admin
from tests.admin.helpers import add_officer, running, small_province
from tests.api.support import running_app
from tests.conftest import Database
from tests.security.support import snapshot

UPLOADS = ("/api/v1/beneficiaries/import", "/api/v1/service-points/import",
           "/api/v1/payment-results")  # fmt: skip
UPLOAD_LIMIT = 20 * MIB


async def _admin(app: Admin) -> dict[str, str]:
    async with app.app.state.sessions() as session, session.begin():
        places = await small_province(session)
        officer = await add_officer(session, "admin", Role.PROVINCE_ADMIN, places.province)
    return app.as_officer(officer)


async def _multipart(size: int, step: int = MIB) -> AsyncIterator[bytes]:
    """A file upload of `size` bytes sent in chunks, without a Content-Length."""
    yield (b'--x\r\nContent-Disposition: form-data; name="file"; filename="list.csv"\r\n'
           b"Content-Type: text/csv\r\n\r\n")  # fmt: skip
    for _ in range(0, size, step):
        yield b"0" * step


@pytest.mark.parametrize("path", UPLOADS)
async def test_uploads_over_the_limit_are_refused_and_write_nothing(
    db: Database, path: str
) -> None:
    async with running(db) as app:
        headers = await _admin(app)
        before = await snapshot(app.app.state.sessions)
        big = b"cccd,ho_ten\n" + b"0" * UPLOAD_LIMIT
        response = await app.client.post(
            path, headers=headers, files={"file": ("list.csv", big, "text/csv")}
        )
        after = await snapshot(app.app.state.sessions)
    assert response.status_code == 413, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert after == before


async def test_bodies_over_the_limit_are_refused_declared_or_streamed(db: Database) -> None:
    async with running(db) as app:
        headers = await _admin(app)
        before = await snapshot(app.app.state.sessions)
        declared = await app.client.post(
            "/api/v1/beneficiaries",
            headers={**headers, "content-type": "application/json"},
            content=b"[" + b" " * DEFAULT_LIMIT + b"]",
        )
        streamed = await app.client.post(
            "/api/v1/beneficiaries/import",
            headers={**headers, "content-type": "multipart/form-data; boundary=x"},
            content=_multipart(DEFAULT_LIMIT + MIB),
        )
        after = await snapshot(app.app.state.sessions)
    assert declared.status_code == streamed.status_code == 413
    assert after == before


def _zip_bomb() -> bytes:
    """An XLSX-looking archive whose one sheet inflates a thousandfold."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (50 * MIB))
    return buffer.getvalue()


async def test_a_spreadsheet_zip_bomb_is_refused_before_it_is_opened(db: Database) -> None:
    async with running(db) as app:
        headers = await _admin(app)
        bomb = _zip_bomb()
        before = await snapshot(app.app.state.sessions)
        response = await app.client.post(
            UPLOADS[0], headers=headers, data={"dry_run": "false"},
            files={"file": ("list.xlsx", bomb, "application/octet-stream")},
        )  # fmt: skip
        after = await snapshot(app.app.state.sessions)
    assert len(bomb) < MIB
    assert response.status_code in (413, 422)
    assert response.json()["code"] == "import.too_large"
    assert after == before


# --- headers ------------------------------------------------------------------------------------
COMMON = {"x-content-type-options": "nosniff", "x-frame-options": "DENY",
          "referrer-policy": "no-referrer"}  # fmt: skip
JSON_POLICY = "default-src 'none'"


async def test_every_kind_of_answer_carries_the_security_headers(db: Database) -> None:
    async with running_app(db) as app:  # public URL https://…
        client = app.client
        answers = {
            "json": await client.get("/health"),
            "schema": await client.get("/openapi.json"),
            "problem": await client.get("/api/v1/auth/me"),
            "unknown path": await client.get("/api/v1/nothing-here"),
            "wrong method": await client.delete("/health"),
            "webhook refused": await client.post("/webhooks/zns", json={}),
            "invalid body": await client.post("/api/v1/sandbox/inbound", json={}),
            "too large": await client.post("/api/v1/sandbox/inbound", content=b"x" * 70_000),
            "metrics": await client.get("/metrics"),
        }
    for name, response in answers.items():
        headers = response.headers
        for header, expected in COMMON.items():
            assert headers.get(header) == expected, (name, header)
        assert headers["content-security-policy"].startswith(JSON_POLICY), name
        assert "frame-ancestors 'none'" in headers["content-security-policy"], name
        assert headers["strict-transport-security"].startswith("max-age="), name
        api = name in {"problem", "unknown path", "invalid body", "too large"}
        assert (headers.get("cache-control") == "no-store") is api, name


async def test_no_hsts_without_https_and_no_store_on_api_files(db: Database) -> None:
    async with running(db) as app:  # public URL http://…
        headers = await _admin(app)
        export = await app.client.get("/api/v1/beneficiaries/export", headers=headers)
    assert export.status_code == 200
    assert "strict-transport-security" not in export.headers
    assert export.headers["cache-control"] == "no-store"
    assert export.headers["x-content-type-options"] == "nosniff"


def _sha256(script: bytes) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script).digest()).decode() + "'"


@pytest.mark.parametrize("path", ["/docs", "/redoc", "/docs/oauth2-redirect"])
async def test_docs_pages_allow_their_cdn_and_exactly_their_inline_scripts(
    db: Database, path: str
) -> None:
    async with running_app(db) as app:
        response = await app.client.get(path)
    assert response.status_code == 200
    directives = response.headers["content-security-policy"].split("; ")
    policy = {name: value for name, _, value in (d.partition(" ") for d in directives)}
    inline = re.findall(rb"<script>(.*?)</script>", response.content, re.S)
    scripts = policy["script-src"].split()
    assert policy["default-src"] == "'none'"
    assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts
    assert sorted(s for s in scripts if s.startswith("'sha256-")) == sorted(map(_sha256, inline))
    assert "https://cdn.jsdelivr.net" in scripts
    assert policy["connect-src"] == "'self'" and policy["frame-ancestors"] == "'none'"
    assert response.headers["x-frame-options"] == "DENY"
