"""No ID, phone or account number ever reaches a log line, whatever the program goes through.

A scripted day: an officer imports a list, a person gives a CCCD, a new phone number and a
bank account to the bot, an officer reads a record in full, the outbox is dispatched while the
providers fail (and echo the number back in their errors), a forged webhook carries numbers.
Every log record of all of it, at DEBUG and with the masking installed as in production, is
searched for every number in every written form.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from bot.sandbox import converse
from cli.serve import NOISY_LOGGERS, configure_service_logging
from messages.reserved import part_keys
from models.logs import JsonFormatter
from models.messaging.tables import OutboxMessage
from models.officers.roles import Role
from models.officers.tokens import issue_access_token
from models.people.tables import Beneficiary
from models.places.tables import Area
from tests.admin.helpers import add_officer
from tests.api.support import Running, gateway_settings, running_app, telegram_settings
from tests.conftest import Database, make_test_settings
from tests.fakes.sms_gateway import FakeSmsGateway
from tests.fakes.telegram import FakeTelegram
from tests.security.support import lang_son

# What the people and officers write, and every number in it.
HEADER = "Họ và tên,Ngày sinh,Số CCCD,Số điện thoại,Đối tượng,Xã/Phường,Mức trợ cấp,Hình thức nhận,Ngân hàng,Số tài khoản"
LINES = [
    "Hoàng Văn Sáng,12/03/1941,020041007531,0912.345.678,BTXH,Phường Đông Kinh,540.000,Tiền mặt,,",
    "Nông Thị Mai,01/01/1950,020150004567,+84 86 123 4567,NCC,Phường Đông Kinh,3.012.000,Tài khoản ngân hàng,Agribank,8888 1234 5678 90",
]  # fmt: skip
CCCDS = ["020041007531", "020150004567"]
PHONES = ["0912345678", "0861234567", "0987654321"]  # the last one is given to the bot
ACCOUNTS = ["88881234567890", "190345678912"]  # the last one is given to the bot
NAMES = ["Hoàng Văn Sáng", "Nông Thị Mai", "HOANG VAN SANG"]
CHAT = "telegram:700100200"
# Quiet in production (their URLs carry bot tokens), but they carry no personal data either:
# here they log everything. SQL logging stays off, as in production (it shows parameters).
VERBOSE = ("httpx", "httpcore", "telegram", "apscheduler", "uvicorn")


def forms(phone: str) -> list[str]:
    """A Vietnamese mobile number as people and providers write it."""
    national = phone.removeprefix("0")
    return [phone, f"+84{national}", f"84{national}"]


SECRETS = [*CCCDS, *ACCOUNTS, *NAMES, *(form for phone in PHONES for form in forms(phone))]


@pytest.fixture
def production_logging(
    db: Database, caplog: pytest.LogCaptureFixture
) -> Iterator[pytest.LogCaptureFixture]:
    """DEBUG logging set up as `ansinh serve` sets it (JSON lines, the masking filter on every
    root handler, caplog's included), with the HTTP libraries made as verbose as they can be."""
    root = logging.getLogger()
    levels = {name: logging.getLogger(name).level for name in (*NOISY_LOGGERS, *VERBOSE)}
    handlers, filters = list(root.handlers), {h: list(h.filters) for h in root.handlers}
    root_level = root.level
    caplog.set_level(logging.DEBUG)
    configure_service_logging(make_test_settings(db.url, log_json=True, log_level="DEBUG"))
    for name in VERBOSE:
        logging.getLogger(name).setLevel(logging.DEBUG)
    yield caplog
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
    for handler, kept in filters.items():
        handler.filters = kept
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)
    root.setLevel(root_level)


async def _import(app: Running, headers: dict[str, str]) -> None:
    data = ("\n".join([HEADER, *LINES]) + "\n").encode()
    response = await app.client.post(
        "/api/v1/beneficiaries/import", headers=headers,
        files={"file": ("danh-sach.csv", data)}, data={"dry_run": "false"},
    )  # fmt: skip
    assert response.status_code == 200 and response.json()["created"] == 2, response.text


async def _say(app: Running, text: str | None = None, *, phone: str | None = None) -> list[str]:
    state = app.app.state
    turn = await converse(state.sessions, address=CHAT, text=text, settings=state.settings,
                          protector=state.protector, shared_phone=phone)  # fmt: skip
    async with state.sessions() as session:
        rows = await session.scalars(select(OutboxMessage).where(
            OutboxMessage.id.in_([reply.outbox_id for reply in turn.replies])))  # fmt: skip
        return [key for row in rows for key in part_keys(row.key, row.params)]


async def _code(app: Running) -> str:
    async with app.app.state.sessions() as session:
        row = await session.scalar(select(OutboxMessage).where(
            OutboxMessage.key == "notice.verification_code").order_by(OutboxMessage.id.desc()))  # fmt: skip
    assert row is not None
    return str(row.params["code"])


async def _conversation(app: Running) -> None:
    """Identify with the CCCD, prove a new phone, give a bank account."""
    for text in ("xin chào", "1", "1", "1", CCCDS[0]):
        await _say(app, text)
    assert (await _say(app, "12/03/1941"))[-1] == "dialog.phone.ask_owner_code"  # listed phone
    assert await _say(app, "2") == ["dialog.phone.ask"]  # another number
    assert await _say(app, "0987 654 321") == ["dialog.phone.ask_code"]
    assert await _say(app, "000000" if await _code(app) != "000000" else "111111") == [
        "dialog.phone.code_wrong"
    ]
    assert "dialog.phone.verified" in await _say(app, await _code(app))
    for text, expected in (("1", "dialog.pay.ask_bank"), ("agribank", "dialog.pay.bank_confirm"),
                           ("có", "dialog.pay.ask_account"), ("1903 4567 8912", "dialog.pay.ask_holder"),
                           ("HOANG VAN SANG", "dialog.pay.summary_account"),
                           ("1", "dialog.pay.recorded")):  # fmt: skip
        assert expected in await _say(app, text), text


async def _full_read(app: Running, headers: dict[str, str]) -> None:
    async with app.app.state.sessions() as session:
        ids = list(await session.scalars(select(Beneficiary.id)))
    for beneficiary_id in ids:
        response = await app.client.get(
            f"/api/v1/beneficiaries/{beneficiary_id}", headers=headers,
            params={"reason": "Đối chiếu danh sách chi trả tháng 12"},
        )  # fmt: skip
        assert response.status_code == 200, response.text
        assert any(cccd in response.text for cccd in CCCDS)  # the officer does see them


async def _dispatch_with_failing_providers(
    app: Running, gateway: FakeSmsGateway, telegram: FakeTelegram
) -> None:
    # providers that echo the number back in their error texts
    gateway.fail_next(1, status=400, description="Invalid destination 84987654321 (0987654321)")
    gateway.fail_next(1, status=503, description="Upstream down for +84987654321")
    telegram.fail_next(1, status=500, description="Internal error for chat 700100200")
    telegram.fail_next(1, status=400, description="Bad Request: phone 0987654321 in text")
    await app.dispatch()
    telegram.block("700100200")
    await app.dispatch()


async def _forged_webhooks(app: Running) -> None:
    body = {"id": "mo-1", "phone": "84987654321", "message": "CCCD 020041007531 STK 190345678912"}
    forged = await app.client.post(
        "/webhooks/sms-gateway/mo", json=body,
        headers={"x-timestamp": "0987654321", "x-signature": "84987654321"},
    )  # fmt: skip
    malformed = await app.client.post(
        "/webhooks/telegram", content=b'{"update_id": "0912345678", "message": 020041007531}',
        headers={"X-Telegram-Bot-Api-Secret-Token": "tg-webhook-secret"},
    )  # fmt: skip
    assert forged.status_code == 401 and malformed.status_code == 400


def _texts(caplog: pytest.LogCaptureFixture, stderr: str) -> list[str]:
    """Every piece of every record: message, arguments, extras, traceback, JSON line."""
    texts = [stderr, caplog.text]
    formatter = JsonFormatter()
    for record in caplog.records:
        texts += [record.getMessage(), str(record.msg), repr(record.args), record.exc_text or "",
                  str(record.stack_info or ""), formatter.format(record),
                  json.dumps(vars(record), default=str, ensure_ascii=False)]  # fmt: skip
    return texts


async def test_no_personal_data_in_any_log_line(
    db: Database,
    production_logging: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
    fake_sms_gateway: FakeSmsGateway,
    fake_telegram: FakeTelegram,
) -> None:
    providers = {**gateway_settings(fake_sms_gateway), **telegram_settings(fake_telegram)}
    async with running_app(db, **providers) as app:
        sessions = app.app.state.sessions
        await lang_son(sessions)
        async with sessions() as session, session.begin():
            province = await session.scalar(select(Area).where(Area.level == "province"))
            assert province is not None
            officer = await add_officer(session, "can.bo", Role.PROVINCE_ADMIN, province)
        token = issue_access_token(app.settings, officer_id=officer.id, role=officer.role)
        headers = {"Authorization": f"Bearer {token.token}"}
        await _import(app, headers)
        await _conversation(app)
        await _full_read(app, headers)
        await _dispatch_with_failing_providers(app, fake_sms_gateway, fake_telegram)
        await _forged_webhooks(app)
    records = production_logging.records
    texts = _texts(production_logging, capsys.readouterr().err)
    found = sorted({secret for secret in SECRETS for text in texts if secret in text})
    # the scenario did log: its sends, the providers' failures, the forged webhooks refused
    assert {"bot.channels.http_sms", "bot.channels.telegram", "api.webhooks.handling"} <= {
        record.name for record in records
    }
    assert any(r.levelno >= logging.WARNING for r in records)
    assert found == []
    digits = {re.sub(r"\D", "", s) for s in SECRETS if re.sub(r"\D", "", s)}
    assert not [d for d in digits for t in texts if d in re.sub(r"(?<=\d)[ .\-](?=\d)", "", t)]
