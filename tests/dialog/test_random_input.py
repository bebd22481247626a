"""Random input never breaks the engine: it always answers, never raises."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.channels.base import InboundMessage
from bot.dialog.service import handle_inbound
from tests.dialog.conftest import World

WORDS = [
    "MENU",
    "menu",
    "Trợ giúp",
    "TRO GIUP",
    "HELP",
    "HD",
    "QUAY LAI",
    "back",
    "0",
    "NGON NGU",
    "language",
    "English",
    "DK",
    "TT",
    "ATM",
    "ATM Na Sầm",
    "Có",
    "khong",
    "yes",
    "STOP",
    "HUY",
    "START",
    "/start",
    "020050001234",
    "05/03/1950",
    "0912345678",
    "Agribank",
    "Nông Văn Lâm",
    "Đông Kinh",
    "123456",
]
_message = st.one_of(
    st.sampled_from(WORDS),
    st.integers(min_value=0, max_value=12).map(str),
    st.text(max_size=40),
    st.text(alphabet="0123456789 ./-", max_size=20),
)
_step = st.tuples(
    _message,
    st.sampled_from([0, 1, 1, 1, 20, 31, 60 * 24 * 4]),  # minutes since the last message
    st.sampled_from([None, None, None, (21.85, 106.76), (95.0, 0.0)]),
    st.sampled_from([None, None, None, None, "+84912345678", "garbage"]),
)
_channels = st.sampled_from(
    [("zalo", "zalo:r{}"), ("telegram", "telegram:{}"), ("sms", "tel:+8498{:07d}")]
)
_counter = itertools.count(1)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(channel=_channels, steps=st.lists(_step, min_size=1, max_size=25))
async def test_random_conversations_always_get_an_answer(
    world: World, channel: tuple[str, str], steps: list[tuple[str, int, object, object]]
) -> None:
    name, pattern = channel
    number = next(_counter)
    address = pattern.format(number)
    now = datetime(2026, 11, 10, 2, tzinfo=UTC)
    for index, (text, minutes, location, phone) in enumerate(steps):
        now += timedelta(minutes=minutes)
        inbound = InboundMessage(
            channel=name,
            event_id=f"{address}-{index}",
            address=address,
            text=text,
            location=location,  # type: ignore[arg-type]
            shared_phone=phone,  # type: ignore[arg-type]
        )
        async with world.db.sessions() as session, session.begin():
            rows = await handle_inbound(
                session,
                inbound=inbound,
                settings=world.db.settings,
                protector=world.protector,
                now=now,
            )
        replies = [r for r in rows if r.address == address and r.message_class == "reply"]
        assert replies, (text, minutes)
        assert all(r.key != "dialog.error" for r in replies), (text, [r.key for r in replies])
