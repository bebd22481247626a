"""Twilio: inbound SMS and status callbacks, signed by Twilio's own RequestValidator."""

from __future__ import annotations

from tests.api.support import PHONE, Running, running_app, twilio_settings, twilio_signature
from tests.conftest import Database
from tests.fakes.twilio import FakeTwilio

SMS_PATH = "/webhooks/twilio/sms"
STATUS_PATH = "/webhooks/twilio/status"


def inbound_form(sid: str = "SM" + "a" * 32, body: str = "Xin chao") -> dict[str, str]:
    return {
        "MessageSid": sid,
        "SmsSid": sid,
        "AccountSid": "AC" + "0" * 32,
        "From": PHONE,
        "To": "+15005550006",
        "Body": body,
        "NumMedia": "0",
    }


async def _post(app: Running, fake: FakeTwilio, path: str, form: dict[str, str]) -> int:
    headers = twilio_signature(fake.auth_token, path, form)
    response = await app.client.post(path, data=form, headers=headers)
    return response.status_code


async def test_signed_inbound_sms_gets_empty_twiml_and_a_reply_by_sms(
    db: Database, fake_twilio: FakeTwilio
) -> None:
    form = inbound_form()
    async with running_app(db, **twilio_settings(fake_twilio)) as app:
        headers = twilio_signature(fake_twilio.auth_token, SMS_PATH, form)
        response = await app.client.post(SMS_PATH, data=form, headers=headers)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/xml")
        assert response.text.endswith("<Response/>")
        await app.dispatch()
        rows = await app.outbox()
    sent = fake_twilio.sent("/Messages.json")
    assert sent and sent[0].body["To"] == PHONE and sent[0].body["From"] == "ANSINH"
    assert sent[0].body["StatusCallback"] == "https://ansinh.example.vn" + STATUS_PATH
    assert sent[0].body["Body"].isascii()  # SMS goes without diacritics
    assert rows[0].provider_message_id and rows[0].provider_message_id.startswith("SM")


async def test_forged_or_unsigned_sms_is_refused(db: Database, fake_twilio: FakeTwilio) -> None:
    form = inbound_form()
    good = twilio_signature(fake_twilio.auth_token, SMS_PATH, form)
    cases = [
        {"X-Twilio-Signature": "AAAA" + good["X-Twilio-Signature"][4:]},
        twilio_signature("another-token", SMS_PATH, form),
        twilio_signature(fake_twilio.auth_token, SMS_PATH, {**form, "Body": "other"}),
        {},
    ]
    async with running_app(db, **twilio_settings(fake_twilio)) as app:
        for headers in cases:
            response = await app.client.post(SMS_PATH, data=form, headers=headers)
            assert response.status_code == 401
            assert response.headers["content-type"] == "application/problem+json"
        assert await app.inbound_events() == 0
        assert await app.outbox() == []


async def test_the_same_message_sid_twice_is_answered_once(
    db: Database, fake_twilio: FakeTwilio
) -> None:
    async with running_app(db, **twilio_settings(fake_twilio)) as app:
        assert await _post(app, fake_twilio, SMS_PATH, inbound_form()) == 200
        replies = len(await app.outbox())
        assert await _post(app, fake_twilio, SMS_PATH, inbound_form()) == 200
        assert await app.inbound_events() == 1
        assert len(await app.outbox()) == replies


async def test_status_callbacks_move_forward_only_in_any_order(
    db: Database, fake_twilio: FakeTwilio
) -> None:
    async with running_app(db, **twilio_settings(fake_twilio)) as app:
        await _post(app, fake_twilio, SMS_PATH, inbound_form())
        await app.dispatch()
        sid = (await app.outbox())[0].provider_message_id
        assert sid is not None
        for status in ("delivered", "sent", "undelivered"):  # "sent" arrives late
            form = {"MessageSid": sid, "MessageStatus": status, "AccountSid": "AC"}
            assert await _post(app, fake_twilio, STATUS_PATH, form) == 200
        row = (await app.outbox())[0]
    assert row.status == "delivered" and row.delivered_at is not None


async def test_status_for_a_message_not_yet_recorded_asks_twilio_to_retry(
    db: Database, fake_twilio: FakeTwilio
) -> None:
    form = {"MessageSid": "SM" + "f" * 32, "MessageStatus": "delivered"}
    async with running_app(db, **twilio_settings(fake_twilio)) as app:
        headers = twilio_signature(fake_twilio.auth_token, STATUS_PATH, form)
        response = await app.client.post(STATUS_PATH, data=form, headers=headers)
        assert response.status_code == 503
        assert int(response.headers["retry-after"]) > 0
        forged = await app.client.post(STATUS_PATH, data=form, headers={"X-Twilio-Signature": "x"})
        assert forged.status_code == 401
