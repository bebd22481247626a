"""Campaigns: preview figures, approval by a second officer, launch, pause, stats, resend."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from messages.render import render
from models.errors import Conflict, Invalid
from models.messaging.tables import OutboxMessage
from models.outreach.campaign_results import campaign_stats, failures_file, resend_failed
from models.outreach.campaigns import (
    approve_campaign,
    cancel_campaign,
    create_campaign,
    launch_campaign,
    launch_due_campaigns,
    pause_campaign,
    preview_campaign,
    resume_campaign,
    schedule_campaign,
)
from tests.admin_payments.helpers import NOW, crowd, messages, small_province
from tests.conftest import Database

TEXT = "Từ tháng 7, trợ cấp được chuyển qua tài khoản. Mời Ông/Bà đăng ký tại UBND xã."
PEOPLE = range(1000, 1300)
NOWHERE = sum(1 for i in PEOPLE if i % 7 == 0 and i % 5)  # neither phone nor Telegram
REACHED = len(PEOPLE) - NOWHERE
SMS = "Tro cap chuyen qua tai khoan tu thang 7. Dang ky tai UBND xa."


async def _setup(db: Database, **fields: object) -> int:
    """300 people in commune A (every 5th also on Telegram, every 3rd English, every 7th
    without a phone), 20 in commune B; a campaign for commune A."""
    async with db.sessions() as session, session.begin():
        place = await small_province(session)
        await crowd(
            session, place.communes[0].id, 300, telegram_every=5, english_every=3, no_phone_every=7
        )
        await crowd(session, place.communes[1].id, 20, start=5000)
        campaign = await create_campaign(
            session,
            actor="author",
            title="Nhận trợ cấp qua tài khoản",
            text_vi=TEXT,
            text_en="From July, allowances are paid into accounts.",
            commune_ids=[place.communes[0].id],
            **fields,
        )
        return campaign.id


async def test_preview_counts_audience_channels_segments_cost_and_time(db: Database) -> None:
    campaign_id = await _setup(db, sms_text_vi=SMS)
    async with db.sessions() as session:
        seen = await preview_campaign(
            session, campaign_id=campaign_id, now=NOW, settings=db.settings
        )
    assert seen.audience == 300
    assert seen.channels == {"telegram": 60, "zalo": 0, "zns": 0, "sms": 300 - 60 - NOWHERE}
    assert seen.suppressed == NOWHERE
    vi = render("campaign.text", {"text": SMS}, locale="vi", channel="sms").segments
    assert seen.sms_segments["vi"] == vi
    sms_people = {"vi": 0, "en": 0}
    for i in PEOPLE:
        if i % 5 and i % 7:
            sms_people["en" if i % 3 == 0 else "vi"] += 1
    parts = sms_people["vi"] * vi + sms_people["en"] * seen.sms_segments["en"]
    assert seen.cost_vnd == parts * 500
    assert seen.send_seconds == pytest.approx(parts / 20.0)
    assert seen.finishes_at - seen.starts_at == timedelta(seconds=parts / 20.0)
    assert not seen.sampled


async def test_sending_time_spills_over_the_campaign_window(db: Database) -> None:
    campaign_id = await _setup(db)
    parts = REACHED - 60  # one SMS each
    slow = db.settings.model_copy(update={"sms_rate_segments_per_second": parts / 103_000})
    async with db.sessions() as session:
        seen = await preview_campaign(session, campaign_id=campaign_id, now=NOW, settings=slow)
    assert seen.send_seconds == pytest.approx(103_000)
    # 10:00-20:00 on the 3rd (36,000 s), 08:00-20:00 on the 4th (43,200 s), then 23,800 s
    # from 08:00 on the 5th: 14:36:40 in Lạng Sơn
    assert seen.finishes_at == datetime(2026, 3, 5, 7, 36, 40, tzinfo=UTC)


async def test_launch_queues_each_person_once_in_their_language(db: Database) -> None:
    campaign_id = await _setup(db, sms_text_vi=SMS)
    async with db.sessions() as session, session.begin():
        launched = await launch_campaign(
            session, campaign_id=campaign_id, actor="author", now=NOW, settings=db.settings
        )
        rows = await messages(session)
        with pytest.raises(Conflict):
            await launch_campaign(
                session, campaign_id=campaign_id, actor="author", now=NOW, settings=db.settings
            )
    assert launched.queued_count == len(rows) == REACHED  # people without any address get no row
    english = [r for r in rows if r.locale == "en"]
    assert {r.channel for r in english} == {"sms", "telegram"}
    assert all(r.params["text"].startswith("From July") for r in english)
    vi_sms = [r for r in rows if r.locale == "vi" and r.channel == "sms"]
    assert vi_sms and all(r.params["text"] == SMS for r in vi_sms)
    vi_chat = [r for r in rows if r.locale == "vi" and r.channel == "telegram"]
    assert vi_chat and all(r.params["text"] == TEXT for r in vi_chat)
    assert {r.key for r in rows} == {"campaign.text"}


async def test_approval_needs_a_second_officer(db: Database) -> None:
    campaign_id = await _setup(db, requires_approval=True)
    async with db.sessions() as session, session.begin():
        with pytest.raises(Conflict) as early:
            await launch_campaign(
                session, campaign_id=campaign_id, actor="author", now=NOW, settings=db.settings
            )
        with pytest.raises(Conflict) as same:
            await approve_campaign(session, campaign_id=campaign_id, actor="author")
        await approve_campaign(session, campaign_id=campaign_id, actor="second")
        await launch_campaign(
            session, campaign_id=campaign_id, actor="author", now=NOW, settings=db.settings
        )
    assert early.value.key == "admin.campaign.needs_approval"
    assert same.value.key == "admin.campaign.same_officer"


async def test_bad_filters_are_refused(db: Database) -> None:
    with pytest.raises(Invalid):
        await _setup(db, channel="fax")


async def test_schedule_then_the_scheduler_launches_when_due(db: Database) -> None:
    campaign_id = await _setup(db)
    async with db.sessions() as session, session.begin():
        await schedule_campaign(
            session, campaign_id=campaign_id, actor="author", starts_at=NOW + timedelta(hours=1)
        )
        assert await launch_due_campaigns(session, now=NOW, settings=db.settings) == 0
        assert (
            await launch_due_campaigns(session, now=NOW + timedelta(hours=2), settings=db.settings)
            == 1
        )
        assert (
            await launch_due_campaigns(session, now=NOW + timedelta(hours=3), settings=db.settings)
            == 0
        )
        assert len(await messages(session)) == REACHED


async def _count(db: Database, status: str) -> int:
    async with db.sessions() as session:
        query = select(func.count()).where(OutboxMessage.status == status)
        return int(await session.scalar(query) or 0)


async def test_pause_resume_and_cancel_move_unsent_rows(db: Database) -> None:
    campaign_id = await _setup(db)
    async with db.sessions() as session, session.begin():
        await launch_campaign(
            session, campaign_id=campaign_id, actor="author", now=NOW, settings=db.settings
        )
        assert await pause_campaign(session, campaign_id=campaign_id, actor="author") == REACHED
    assert await _count(db, "held") == REACHED
    async with db.sessions() as session, session.begin():
        assert await resume_campaign(session, campaign_id=campaign_id, actor="author") == REACHED
        await session.execute(
            update(OutboxMessage).where(OutboxMessage.id <= 10).values(status="sent")
        )
        assert (
            await cancel_campaign(session, campaign_id=campaign_id, actor="author") == REACHED - 10
        )
    assert await _count(db, "cancelled") == REACHED - 10


async def test_stats_resend_and_failures_file(db: Database) -> None:
    campaign_id = await _setup(db)
    async with db.sessions() as session, session.begin():
        await launch_campaign(
            session, campaign_id=campaign_id, actor="author", now=NOW, settings=db.settings
        )
        ids = [m.id for m in await messages(session)]
        await session.execute(
            update(OutboxMessage).where(OutboxMessage.id.in_(ids[:200])).values(status="delivered")
        )
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids[200:210]))
            .values(status="failed", failure_reason="provider:rejected")
        )
        stats = await campaign_stats(session, campaign_id=campaign_id)
        again = await resend_failed(
            session, campaign_id=campaign_id, actor="author", now=NOW, settings=db.settings
        )
        after = await campaign_stats(session, campaign_id=campaign_id)
        exported = await failures_file(session, campaign_id=campaign_id, actor="author")
    assert (stats.people, stats.delivered, stats.queued) == (REACHED, 200, REACHED - 210)
    assert stats.failed == {"provider:rejected": 10}
    assert again == 10
    assert after.failed == {} and after.queued == REACHED - 200
    rows = list(csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows == []  # the resend superseded every failure
