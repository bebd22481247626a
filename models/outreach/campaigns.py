"""Campaigns: written, optionally approved by a second officer, scheduled, launched, paused,
cancelled. Launching queues one outbox row per person through enqueue_campaign with the
audience as a SELECT, so a million people never pass through Python.

Texts are officers' words, sent inside the `campaign.text` message (which adds how to stop).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models.audit.service import record
from models.base import utcnow
from models.errors import Conflict, Invalid, NotFound
from models.messaging.campaigns import enqueue_campaign
from models.messaging.tables import OutboxMessage
from models.outreach.audience import KEY, AudienceSpec, audience
from models.outreach.preview import Preview, preview
from models.outreach.tables import Campaign
from models.places.loader import COMMUNE
from models.places.tables import Area
from models.settings import Settings, get_settings
from models.vocab import Category, PaymentMethod

STATUSES = ("draft", "approved", "scheduled", "running", "paused", "cancelled")
EDITABLE = ("draft",)
LANGUAGES = ("vi", "en")
CHANNELS = ("sms", "telegram", "zalo")
_FIELDS = (
    "title",
    "text_vi",
    "text_en",
    "sms_text_vi",
    "sms_text_en",
    "commune_ids",
    "category",
    "method",
    "language",
    "channel",
    "requires_approval",
    "expires_at",
)


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _check(values: dict[str, Any]) -> None:
    if not values.get("title") or not values.get("text_vi"):
        raise Invalid("admin.campaign.text_missing")
    allowed = {
        "category": [c.value for c in Category],
        "method": [m.value for m in PaymentMethod],
        "language": list(LANGUAGES),
        "channel": list(CHANNELS),
    }
    for name, choices in allowed.items():
        if values.get(name) is not None and values[name] not in choices:
            raise Invalid("admin.campaign.filter_unknown", field=name, allowed=", ".join(choices))


async def _check_communes(session: AsyncSession, ids: Sequence[int]) -> list[int]:
    wanted = sorted(set(ids))
    if not wanted:
        return []
    query = select(Area.id).where(Area.level == COMMUNE, Area.id.in_(wanted))
    missing = set(wanted) - set((await session.scalars(query)).all())
    if missing:
        raise NotFound("places.commune.not_found", commune_id=min(missing))
    return wanted


async def create_campaign(session: AsyncSession, *, actor: str, **fields: Any) -> Campaign:
    """A draft campaign from `title`, `text_vi` and the optional fields of _FIELDS."""
    unknown = set(fields) - set(_FIELDS)
    if unknown:
        raise TypeError(f"unknown campaign fields: {sorted(unknown)}")
    values = {name: _clean(value) for name, value in fields.items()}
    values["commune_ids"] = await _check_communes(session, values.get("commune_ids") or [])
    values["requires_approval"] = bool(values.get("requires_approval"))
    _check(values)
    campaign = Campaign(created_by=actor, **values)
    session.add(campaign)
    await session.flush()
    await _audit(session, campaign, actor, "create")
    return campaign


async def update_campaign(
    session: AsyncSession, *, campaign_id: int, actor: str, **fields: Any
) -> Campaign:
    """Change a draft (an approval is undone by any change)."""
    campaign = await locked_campaign(session, campaign_id, ("draft", "approved"))
    values = {name: _clean(value) for name, value in fields.items() if name in _FIELDS}
    if "commune_ids" in values:
        values["commune_ids"] = await _check_communes(session, values["commune_ids"] or [])
    merged = {name: getattr(campaign, name) for name in _FIELDS} | values
    _check(merged)
    for name, value in values.items():
        setattr(campaign, name, value)
    campaign.status, campaign.approved_by, campaign.approved_at = "draft", None, None
    await _audit(session, campaign, actor, "update")
    return campaign


async def get_campaign(session: AsyncSession, campaign_id: int) -> Campaign:
    """The campaign with this id, or NotFound."""
    found = await session.get(Campaign, campaign_id)
    if found is None:
        raise NotFound("admin.campaign.not_found", id=campaign_id)
    return found


def campaigns_query(*, status: str | None = None) -> Select[Campaign]:
    """Campaigns, newest first."""
    query = select(Campaign).order_by(Campaign.id.desc())
    return query if status is None else query.where(Campaign.status == status)


async def locked_campaign(
    session: AsyncSession, campaign_id: int, expected: Sequence[str]
) -> Campaign:
    """The campaign, locked for this transaction, in one of the expected statuses."""
    found = await session.get(Campaign, campaign_id, with_for_update=True, populate_existing=True)
    if found is None:
        raise NotFound("admin.campaign.not_found", id=campaign_id)
    if found.status not in expected:
        raise Conflict(
            "admin.campaign.wrong_status", status=found.status, expected=", ".join(expected)
        )
    return found


async def _audit(
    session: AsyncSession, campaign: Campaign, actor: str, action: str, **details: object
) -> None:
    await record(
        session,
        actor=actor,
        action=action,
        entity="campaign",
        entity_id=campaign.id,
        details={"status": campaign.status, **details},
    )
    await session.flush()


def spec_of(campaign: Campaign) -> AudienceSpec:
    """The campaign's audience filters."""
    return AudienceSpec(
        commune_ids=tuple(campaign.commune_ids or ()),
        category=campaign.category,
        method=campaign.method,
        language=campaign.language,
        channel=campaign.channel,
    )


def _texts(campaign: Campaign) -> tuple[dict[str, str], dict[str, str]]:
    texts = {"vi": campaign.text_vi, "en": campaign.text_en or campaign.text_vi}
    # English readers get the Vietnamese SMS text only when there is no English text at all
    english_sms = campaign.sms_text_en or (None if campaign.text_en else campaign.sms_text_vi)
    sms = {"vi": campaign.sms_text_vi, "en": english_sms}
    return texts, {locale: text for locale, text in sms.items() if text}


async def preview_campaign(
    session: AsyncSession,
    *,
    campaign_id: int,
    now: datetime | None = None,
    settings: Settings | None = None,
) -> Preview:
    """The campaign's audience count, SMS parts, cost and sending time."""
    campaign = await get_campaign(session, campaign_id)
    texts, sms = _texts(campaign)
    start = max(campaign.starts_at or now or utcnow(), now or utcnow())
    return await preview(
        session,
        spec=spec_of(campaign),
        texts=texts,
        sms_texts=sms,
        starts_at=start,
        settings=settings or get_settings(),
    )


async def approve_campaign(session: AsyncSession, *, campaign_id: int, actor: str) -> Campaign:
    """A second officer approves the campaign's words and audience."""
    campaign = await locked_campaign(session, campaign_id, ("draft",))
    if actor == campaign.created_by:
        raise Conflict("admin.campaign.same_officer")
    campaign.status, campaign.approved_by, campaign.approved_at = "approved", actor, utcnow()
    await _audit(session, campaign, actor, "approve")
    return campaign


def _ready(campaign: Campaign) -> None:
    if campaign.requires_approval and campaign.approved_by is None:
        raise Conflict("admin.campaign.needs_approval")


async def schedule_campaign(
    session: AsyncSession, *, campaign_id: int, starts_at: datetime, actor: str
) -> Campaign:
    """Set the campaign to start at `starts_at` (the scheduler launches it then)."""
    campaign = await locked_campaign(session, campaign_id, ("draft", "approved", "scheduled"))
    _ready(campaign)
    campaign.status, campaign.starts_at, campaign.launched_by = "scheduled", starts_at, actor
    await _audit(session, campaign, actor, "schedule", starts_at=starts_at.isoformat())
    return campaign


async def launch_campaign(
    session: AsyncSession,
    *,
    campaign_id: int,
    actor: str,
    now: datetime | None = None,
    settings: Settings | None = None,
) -> Campaign:
    """Queue the campaign for its whole audience now (again: nothing more is queued)."""
    campaign = await locked_campaign(session, campaign_id, ("draft", "approved", "scheduled"))
    _ready(campaign)
    settings, now = settings or get_settings(), now or utcnow()
    texts, sms = _texts(campaign)
    spec, queued = spec_of(campaign), 0
    for locale in (campaign.language,) if campaign.language else LANGUAGES:
        queued += await enqueue_campaign(
            session,
            campaign_id=campaign.id,
            person_ids=audience(spec, locale=locale),
            key=KEY,
            params={"text": texts[locale]},
            expires_at=campaign.expires_at,
            settings=settings,
            now=now,
        )
        if locale in sms:
            await _sms_variant(session, campaign.id, locale, sms[locale])
    campaign.status, campaign.launched_at, campaign.queued_count = "running", now, queued
    campaign.launched_by = campaign.launched_by or actor
    await _audit(session, campaign, actor, "launch", queued=queued)
    return campaign


async def _sms_variant(session: AsyncSession, campaign_id: int, locale: str, text: str) -> None:
    """Rows that go out by SMS carry the campaign's short SMS text instead."""
    own_locale = OutboxMessage.locale == "en" if locale == "en" else OutboxMessage.locale != "en"
    await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.campaign_id == campaign_id,
            OutboxMessage.channel == "sms",
            OutboxMessage.status == "pending",
            own_locale,
        )
        .values(params={"text": text})
        .execution_options(synchronize_session=False)
    )


async def launch_due_campaigns(
    session: AsyncSession, *, now: datetime | None = None, settings: Settings | None = None
) -> int:
    """Launch every scheduled campaign whose start has come; the number launched."""
    now = now or utcnow()
    query = select(Campaign.id).where(Campaign.status == "scheduled", Campaign.starts_at <= now)
    due = list((await session.scalars(query)).all())
    for campaign_id in due:
        await launch_campaign(
            session, campaign_id=campaign_id, actor="scheduler", now=now, settings=settings
        )
    return len(due)


async def _move_rows(
    session: AsyncSession, campaign_id: int, source: Sequence[str], target: str, reason: str | None
) -> int:
    result = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.campaign_id == campaign_id, OutboxMessage.status.in_(source))
        .values(status=target, failure_reason=reason, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def pause_campaign(session: AsyncSession, *, campaign_id: int, actor: str) -> int:
    """Hold every message not sent yet; the number held."""
    campaign = await locked_campaign(session, campaign_id, ("running",))
    held = await _move_rows(session, campaign_id, ("pending",), "held", None)
    campaign.status = "paused"
    await _audit(session, campaign, actor, "pause", held=held)
    return held


async def resume_campaign(session: AsyncSession, *, campaign_id: int, actor: str) -> int:
    """Let held messages go again; the number released."""
    campaign = await locked_campaign(session, campaign_id, ("paused",))
    released = await _move_rows(session, campaign_id, ("held",), "pending", None)
    campaign.status = "running"
    await _audit(session, campaign, actor, "resume", released=released)
    return released


async def cancel_campaign(session: AsyncSession, *, campaign_id: int, actor: str) -> int:
    """Stop the campaign: messages not sent yet are cancelled; the number cancelled."""
    campaign = await locked_campaign(
        session, campaign_id, ("draft", "approved", "scheduled", "running", "paused")
    )
    cancelled = await _move_rows(
        session, campaign_id, ("pending", "held"), "cancelled", "campaign_cancelled"
    )
    campaign.status = "cancelled"
    await _audit(session, campaign, actor, "cancel", cancelled=cancelled)
    return cancelled
