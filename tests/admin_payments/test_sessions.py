"""Account-opening sessions: who is invited, invitations and reminders once, accounts opened."""

from __future__ import annotations

from datetime import date, time

import pytest
from sqlalchemy import select

from models.errors import Conflict, Invalid, NotFound
from models.outreach.attendance import OpenedAccount, record_attendance
from models.outreach.sessions import (
    add_attendee,
    add_invitees,
    attendees_query,
    create_session,
    remind_sessions,
    send_invitations,
)
from models.payments.service import current_choice
from models.requests.tables import ReviewItem
from models.vocab import ChoiceStatus, PaymentMethod
from tests.admin_payments.helpers import (
    NOW,
    PROTECTOR,
    TODAY,
    beneficiary,
    messages,
    small_province,
)
from tests.conftest import Database

HELD_ON = date(2026, 3, 10)
BANK, CASH = PaymentMethod.BANK_ACCOUNT, PaymentMethod.CASH_POINT


async def _setup(db: Database) -> tuple[int, dict[str, int]]:
    """A session in commune A and its candidates; ids by nickname."""
    async with db.sessions() as session, session.begin():
        place = await small_province(session)
        a, b = place.communes[0].id, place.communes[1].id
        ids = {
            "asked": (
                await beneficiary(
                    session, commune_id=a, number=1, method=BANK, status=ChoiceStatus.REQUESTED
                )
            ).id,
            "opened": (await beneficiary(session, commune_id=a, number=2, method=BANK)).id,
            "cash": (await beneficiary(session, commune_id=a, number=3, method=CASH)).id,
            "bot": (await beneficiary(session, commune_id=a, number=4)).id,
            "elsewhere": (
                await beneficiary(
                    session, commune_id=b, number=5, method=BANK, status=ChoiceStatus.REQUESTED
                )
            ).id,
        }
        bot = await session.get_one(ReviewItem, (await _review(session, ids["bot"], a)).id)
        assert bot.kind == "account_opening"
        made = await create_session(
            session,
            commune_id=a,
            held_on=HELD_ON,
            start_time=time(8),
            end_time=time(11, 30),
            place="Hội trường UBND phường",
            documents="CCCD gắn chip",
            actor="officer",
            bank_code="AGRIBANK",
        )
        return made.id, ids


async def _review(session, beneficiary_id: int, commune_id: int) -> ReviewItem:  # type: ignore[no-untyped-def]
    item = ReviewItem(
        kind="account_opening", beneficiary_id=beneficiary_id, commune_id=commune_id, payload={}
    )
    session.add(item)
    await session.flush()
    return item


async def test_invites_who_asked_in_the_commune_once(db: Database) -> None:
    session_id, ids = await _setup(db)
    async with db.sessions() as session, session.begin():
        assert await add_invitees(session, session_id=session_id, today=TODAY) == 2
        assert await add_invitees(session, session_id=session_id, today=TODAY) == 0
        assert (
            await send_invitations(session, session_id=session_id, now=NOW, settings=db.settings)
            == 2
        )
        assert (
            await send_invitations(session, session_id=session_id, now=NOW, settings=db.settings)
            == 0
        )
        attendees = list(await session.scalars(attendees_query(session_id)))
        invitations = await messages(session, "notice.account_session_invitation")
        choice = await current_choice(session, ids["asked"])
    assert {a.beneficiary_id for a in attendees} == {ids["asked"], ids["bot"]}
    assert {a.source for a in attendees} == {"choice", "review"}
    assert len(invitations) == 2
    assert invitations[0].params == {
        "date": "2026-03-10",
        "time": "08:00",
        "place": "Hội trường UBND phường",
        "bank": "Agribank",
        "documents": "CCCD gắn chip",
    }
    assert choice is not None and choice.status == ChoiceStatus.SESSION_SCHEDULED


async def test_a_second_session_does_not_invite_them_again(db: Database) -> None:
    session_id, ids = await _setup(db)
    async with db.sessions() as session, session.begin():
        await add_invitees(session, session_id=session_id, today=TODAY)
        other = await create_session(
            session,
            commune_id=await _commune(session, ids["asked"]),
            held_on=date(2026, 3, 20),
            start_time=time(8),
            end_time=time(11),
            place="Nhà văn hóa",
            documents="CCCD",
            actor="officer",
            bank_code="AGRIBANK",
        )
        assert await add_invitees(session, session_id=other.id, today=TODAY) == 0


async def _commune(session, beneficiary_id: int) -> int:  # type: ignore[no-untyped-def]
    from models.people.tables import Beneficiary

    found = await session.get_one(Beneficiary, beneficiary_id)
    return int(found.commune_id)


async def test_reminder_the_day_before_is_sent_once(db: Database) -> None:
    session_id, _ = await _setup(db)
    async with db.sessions() as session, session.begin():
        await add_invitees(session, session_id=session_id, today=TODAY)
        await send_invitations(session, session_id=session_id, now=NOW, settings=db.settings)
        assert await remind_sessions(session, today=date(2026, 3, 8), settings=db.settings) == 0
        assert (
            await remind_sessions(session, today=date(2026, 3, 9), now=NOW, settings=db.settings)
            == 2
        )
        assert (
            await remind_sessions(session, today=date(2026, 3, 9), now=NOW, settings=db.settings)
            == 0
        )
        assert len(await messages(session, "notice.account_session_reminder")) == 2


async def test_attendance_with_an_opened_account_appends_a_choice(db: Database) -> None:
    session_id, ids = await _setup(db)
    async with db.sessions() as session, session.begin():
        await add_invitees(session, session_id=session_id, today=TODAY)
        with pytest.raises(Invalid):
            await record_attendance(
                session,
                session_id=session_id,
                beneficiary_id=ids["asked"],
                attended=True,
                actor="officer",
                protector=PROTECTOR,
                account=OpenedAccount("12-ab"),
                settings=db.settings,
            )
        attendee = await record_attendance(
            session,
            session_id=session_id,
            beneficiary_id=ids["asked"],
            attended=True,
            actor="officer",
            protector=PROTECTOR,
            account=OpenedAccount("1234 5678 9012", holder_name="HOANG VAN NGUOI 1"),
            now=NOW,
            settings=db.settings,
        )
        await record_attendance(
            session,
            session_id=session_id,
            beneficiary_id=ids["bot"],
            attended=False,
            actor="officer",
            protector=PROTECTOR,
            settings=db.settings,
        )
        with pytest.raises(Conflict):
            await record_attendance(
                session,
                session_id=session_id,
                beneficiary_id=ids["asked"],
                attended=True,
                actor="officer",
                protector=PROTECTOR,
                account=OpenedAccount("123456789"),
                settings=db.settings,
            )
        choice = await current_choice(session, ids["asked"])
        opened = await messages(session, "notice.account_opened")
    assert attendee.account_opened and choice is not None
    assert (choice.status, choice.provider_code, choice.holder_name_matches) == (
        "opened",
        "AGRIBANK",
        True,
    )
    assert PROTECTOR.decrypt(choice.account_enc or b"") == "123456789012"
    assert opened[0].params == {"bank": "Agribank", "account": choice.account_masked}


async def test_manual_attendee_must_live_in_the_commune(db: Database) -> None:
    session_id, ids = await _setup(db)
    async with db.sessions() as session, session.begin():
        added = await add_attendee(session, session_id=session_id, beneficiary_id=ids["cash"])
        assert added.source == "officer"
        with pytest.raises(NotFound):
            await add_attendee(session, session_id=session_id, beneficiary_id=ids["elsewhere"])


async def test_session_times_and_bank_are_checked(db: Database) -> None:
    await _setup(db)
    async with db.sessions() as session, session.begin():
        commune = (await session.scalars(select(ReviewItem.commune_id))).first()
        for start, end, bank in ((time(11), time(8), "AGRIBANK"), (time(8), time(9), "NOPE")):
            with pytest.raises(Invalid):
                await create_session(
                    session,
                    commune_id=commune or 0,
                    held_on=HELD_ON,
                    start_time=start,
                    end_time=end,
                    place="UBND",
                    documents="CCCD",
                    actor="officer",
                    bank_code=bank,
                )
