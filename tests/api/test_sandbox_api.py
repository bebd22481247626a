"""The sandbox API: the same path as a webhook, replies rendered for the address's channel."""

from __future__ import annotations

from tests.api.support import PHONE, running_app
from tests.conftest import Database

INBOUND = "/api/v1/sandbox/inbound"
INBOX = "/api/v1/sandbox/inbox"


async def test_sms_replies_come_back_as_the_phone_shows_them(db: Database) -> None:
    async with running_app(db) as app:
        response = await app.client.post(INBOUND, json={"address": f"tel:{PHONE}", "text": "Hi"})
        assert response.status_code == 200
        turn = response.json()
    assert turn["event_id"].startswith("sandbox-")
    assert turn["replies"]
    for reply in turn["replies"]:
        assert reply["channel"] == "sms"
        assert reply["text"].isascii() and reply["encoding"] == "GSM-7"
        assert reply["segments"] >= 1 and reply["parse_mode"] is None


async def test_telegram_and_zalo_addresses_play_their_channel(db: Database) -> None:
    async with running_app(db) as app:
        telegram = await app.client.post(INBOUND, json={"address": "telegram:42", "text": "hi"})
        zalo = await app.client.post(INBOUND, json={"address": "zalo:abc-1", "text": "hi"})
    assert {r["channel"] for r in telegram.json()["replies"]} == {"telegram"}
    assert {r["parse_mode"] for r in telegram.json()["replies"]} == {"HTML"}
    assert {r["channel"] for r in zalo.json()["replies"]} == {"zalo"}
    assert {r["segments"] for r in zalo.json()["replies"]} == {None}


async def test_location_and_shared_phone_are_accepted(db: Database) -> None:
    async with running_app(db) as app:
        location = {"latitude": 21.8537, "longitude": 106.7615}
        shared = await app.client.post(
            INBOUND, json={"address": "telegram:42", "location": location}
        )
        phone = await app.client.post(
            INBOUND, json={"address": "telegram:42", "shared_phone": "0912 345 678"}
        )
        inbox = await app.client.get(INBOX, params={"address": "telegram:42"})
    assert shared.status_code == phone.status_code == 200
    sent = [m["text"] for m in inbox.json()["messages"] if m["direction"] == "in"]
    assert sent == ["📍 21.853700,106.761500", f"📱 {PHONE}"]


async def test_invalid_requests_are_problems(db: Database) -> None:
    bad = [
        {"address": "0912345678", "text": "hi"},  # no scheme
        {"address": "sms:+84912345678", "text": "hi"},  # unknown scheme
        {"address": "tel:+84" + "9" * 100, "text": "hi"},  # too long
        {"address": "telegram:abc", "text": "hi"},
        {"address": f"tel:{PHONE}"},  # nothing said
        {"address": f"tel:{PHONE}", "text": "x" * 5001},
        {"address": f"tel:{PHONE}", "shared_phone": "12"},
        {"address": f"tel:{PHONE}", "location": {"latitude": 95, "longitude": 0}},
        {"address": f"tel:{PHONE}", "text": "hi", "extra": 1},
    ]
    async with running_app(db) as app:
        for body in bad:
            response = await app.client.post(INBOUND, json=body)
            assert response.status_code == 422, body
            assert response.headers["content-type"] == "application/problem+json"
        assert await app.inbound_events() == 0


async def test_long_and_emoji_texts(db: Database) -> None:
    async with running_app(db) as app:
        for text in ("ă" * 5000, "🏧❓ Cây ATM gần nhất ở đâu 👵🏻"):
            response = await app.client.post(
                INBOUND, json={"address": f"tel:{PHONE}", "text": text}
            )
            assert response.status_code == 200
            assert all(r["text"].isascii() for r in response.json()["replies"])


async def test_inbox_lists_what_was_delivered_after_an_id(db: Database) -> None:
    address = f"tel:{PHONE}"
    async with running_app(db) as app:
        turn = (await app.client.post(INBOUND, json={"address": address, "text": "Hi"})).json()
        await app.dispatch()
        # an unencoded '+' arrives as a space: still the same address
        everything = (await app.client.get(f"{INBOX}?address=tel:{PHONE}")).json()
        after = everything["messages"][0]["id"]
        newer = (await app.client.get(INBOX, params={"address": address, "after_id": after})).json()
        bad = await app.client.get(INBOX, params={"address": "nobody"})
    directions = [m["direction"] for m in everything["messages"]]
    assert directions[0] == "in" and directions.count("out") == len(turn["replies"])
    delivered = [m["text"] for m in everything["messages"] if m["direction"] == "out"]
    assert delivered == [r["text"] for r in turn["replies"]]  # what the dispatcher sent
    assert [m["id"] for m in newer["messages"]] == [m["id"] for m in everything["messages"][1:]]
    assert newer["last_id"] == everything["last_id"]
    assert bad.status_code == 422


async def test_sandbox_api_is_absent_when_the_sandbox_is_off(db: Database) -> None:
    async with running_app(db, sandbox=False) as app:
        response = await app.client.post(INBOUND, json={"address": f"tel:{PHONE}", "text": "Hi"})
        inbox = await app.client.get(INBOX, params={"address": f"tel:{PHONE}"})
        spec = (await app.client.get("/openapi.json")).json()
    assert response.status_code == inbox.status_code == 404
    assert not [path for path in spec["paths"] if "sandbox" in path]


async def test_oversized_sandbox_body_is_refused(db: Database) -> None:
    async with running_app(db) as app:
        body = {"address": f"tel:{PHONE}", "text": "x" * 70_000}
        response = await app.client.post(INBOUND, json=body)
    assert response.status_code == 413
