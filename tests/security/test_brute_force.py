"""Guessing is rate-limited: officers' passwords, and the SMS codes that prove a phone number."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import func, select

from messages.reserved import part_keys
from models.conversations.tables import VerificationCode
from models.messaging.tables import OutboxMessage
from models.officers.roles import Role
from tests.admin.helpers import PASSWORD, add_officer, running, small_province
from tests.api.support import Running, running_app
from tests.conftest import Database
from tests.security.support import Someone, lang_son, someone

TOKEN = "/api/v1/auth/token"
INBOUND = "/api/v1/sandbox/inbound"
ATTACKER = "zalo:attacker-1"
PHONE = "0912345678"


async def test_password_guessing_is_rate_limited(db: Database) -> None:
    async with running(db) as app:
        async with app.app.state.sessions() as session, session.begin():
            places = await small_province(session)
            for name in ["lan.nguyen", *(f"user{i}" for i in range(21))]:
                await add_officer(session, name, Role.COMMUNE_OFFICER, places.a)
        guesses = [
            (await app.client.post(TOKEN, data={"username": "lan.nguyen", "password": f"g{i}"}))
            for i in range(6)
        ]
        right = await app.client.post(TOKEN, data={"username": "lan.nguyen", "password": PASSWORD})
        elsewhere = await _from("203.0.113.9", app.app, "lan.nguyen", PASSWORD)
        sprayed = [
            await _from("203.0.113.50", app.app, f"user{i}", "mật khẩu 2026") for i in range(21)
        ]
    assert [r.status_code for r in guesses] == [401] * 5 + [429]
    assert int(guesses[-1].headers["retry-after"]) > 0
    # locked for the account, whatever the password and wherever it comes from
    assert right.status_code == elsewhere.status_code == 429
    # one address trying many usernames is stopped too
    assert [r.status_code for r in sprayed] == [401] * 20 + [429]


async def _from(client: str, app: Any, username: str, password: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=app, client=(client, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://admin.test") as other:
        return await other.post(TOKEN, data={"username": username, "password": password})


# --- the phone code -----------------------------------------------------------------------------
async def _say(app: Running, address: str, text: str) -> list[str]:
    """Send `text` as `address` through the sandbox API; the keys of the replies."""
    response = await app.client.post(INBOUND, json={"address": address, "text": text})
    assert response.status_code == 200, response.text
    ids = {reply["outbox_id"] for reply in response.json()["replies"]}
    rows = [row for row in await app.outbox() if row.id in ids]
    return [key for row in rows for key in part_keys(row.key, row.params)]


async def _identify(app: Running, address: str, person: Someone) -> list[str]:
    """Start, Vietnamese, consent, 'I receive the allowance', CCCD, birth date."""
    for text in ("xin chào", "1", "1", "1", person.cccd):
        await _say(app, address, text)
    return await _say(app, address, person.birth)


async def _codes(app: Running) -> tuple[int, list[str]]:
    """Codes stored, and the codes sent by SMS (oldest first)."""
    async with app.app.state.sessions() as session:
        stored = await session.scalar(select(func.count()).select_from(VerificationCode))
        sent = await session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.key == "notice.verification_code")
            .order_by(OutboxMessage.id)
        )
        return int(stored or 0), [str(row.params["code"]) for row in sent]


def _wrong(code: str) -> str:
    return "000000" if code != "000000" else "111111"


async def _burn_a_code(app: Running) -> list[str]:
    """Three wrong guesses at the newest code: the third locks it."""
    _, sent = await _codes(app)
    return [(await _say(app, ATTACKER, _wrong(sent[-1])))[0] for _ in range(3)]


async def test_phone_code_guessing_locks_and_new_codes_are_rate_limited(db: Database) -> None:
    async with running_app(db) as app:
        sessions = app.app.state.sessions
        person = await someone(sessions, await lang_son(sessions))
        assert (await _identify(app, ATTACKER, person))[-1] == "dialog.phone.ask"
        assert await _say(app, ATTACKER, PHONE) == ["dialog.phone.ask_code"]
        wrong = await _burn_a_code(app)
        _, sent = await _codes(app)
        # once locked, even the right code does not work: guessing cannot win
        assert await _say(app, ATTACKER, sent[-1]) == ["dialog.phone.code_locked"]
        for _ in range(2):  # two more codes, each guessed wrong three times
            assert await _say(app, ATTACKER, "1") == ["dialog.phone.ask_code"]
            assert (await _burn_a_code(app))[-1] == "dialog.phone.code_locked"
        before = await _codes(app)
        fourth = await _say(app, ATTACKER, "1")  # a fourth code for the number, asked again
        other_number = await _say(app, ATTACKER, "0987654321")  # per address
        await _identify(app, "zalo:attacker-2", person)
        other_address = await _say(app, "zalo:attacker-2", PHONE)  # per number
        after = await _codes(app)
    assert wrong == [
        "dialog.phone.code_wrong",
        "dialog.phone.code_wrong",
        "dialog.phone.code_locked",
    ]
    assert before[0] == 3 and len(before[1]) == 3
    assert fourth == ["dialog.phone.too_many"]
    assert other_number == ["dialog.phone.too_many"]
    assert other_address == ["dialog.phone.too_many"]
    assert after == before  # no new code stored, no SMS sent
