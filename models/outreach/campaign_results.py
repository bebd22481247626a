"""How a campaign is going, read from the outbox; sending again to those it failed to reach,
and the list of failures for officers (CSV/XLSX).

A person's outcome is their latest row in the campaign: a fallback or a resend supersedes
the row that failed before it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Row, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.audit.service import record
from models.base import utcnow
from models.messaging.service import enqueue
from models.messaging.tables import OutboxMessage
from models.outreach.audience import KEY
from models.outreach.campaigns import get_campaign, locked_campaign
from models.people.tables import Beneficiary, ContactAddress, Person
from models.places.tables import Area
from models.protection import mask_address
from models.settings import Settings, get_settings
from models.sheets import FORMATS, ExportFile, write_table

FAILED = ("failed", "expired")
FAILURE_COLUMNS = (
    "person_id",
    "full_name",
    "commune",
    "channel",
    "address",
    "status",
    "reason",
    "attempts",
    "last_attempt_at",
)


@dataclass
class CampaignStats:
    """Where each person of the campaign stands, and what it cost."""

    people: int = 0
    queued: int = 0
    held: int = 0
    sent: int = 0
    delivered: int = 0
    failed: dict[str, int] = field(default_factory=dict)
    suppressed: dict[str, int] = field(default_factory=dict)
    expired: int = 0
    cancelled: int = 0
    opted_out_since: int = 0
    cost_units: int = 0
    by_channel: dict[str, int] = field(default_factory=dict)


def _latest(campaign_id: int) -> Any:
    """Each person's latest row id in the campaign."""
    return (
        select(func.max(OutboxMessage.id).label("id"))
        .where(OutboxMessage.campaign_id == campaign_id)
        .group_by(OutboxMessage.person_id)
        .subquery()
    )


def _count(stats: CampaignStats, status: str, reason: str | None, count: int) -> None:
    stats.people += count
    if status in ("pending", "sending"):
        stats.queued += count
    elif status in ("held", "sent", "delivered", "expired", "cancelled"):
        setattr(stats, status, getattr(stats, status) + count)
    elif status == "failed":
        stats.failed[reason or "unknown"] = stats.failed.get(reason or "unknown", 0) + count
    elif status == "suppressed":
        stats.suppressed[reason or "unknown"] = stats.suppressed.get(reason or "unknown", 0) + count


async def campaign_stats(session: AsyncSession, *, campaign_id: int) -> CampaignStats:
    """Live figures of a campaign from its outbox rows."""
    campaign = await get_campaign(session, campaign_id)
    latest = _latest(campaign_id)
    query = (
        select(
            OutboxMessage.status, OutboxMessage.failure_reason, OutboxMessage.channel, func.count()
        )
        .join(latest, latest.c.id == OutboxMessage.id)
        .group_by(OutboxMessage.status, OutboxMessage.failure_reason, OutboxMessage.channel)
    )
    stats = CampaignStats()
    channels: dict[str, int] = defaultdict(int)
    for status, reason, channel, count in (await session.execute(query)).all():
        _count(stats, status, reason, count)
        if status in ("sent", "delivered"):
            channels[channel] += count
    stats.by_channel = dict(channels)
    cost = select(func.coalesce(func.sum(OutboxMessage.cost_units), 0)).where(
        OutboxMessage.campaign_id == campaign_id
    )
    stats.cost_units = int(await session.scalar(cost) or 0)
    if campaign.launched_at is not None:
        stats.opted_out_since = await _opted_out_since(session, campaign_id, campaign.launched_at)
    return stats


async def _opted_out_since(session: AsyncSession, campaign_id: int, since: datetime) -> int:
    """People of the campaign who opted out of campaigns after it was launched."""
    people = select(OutboxMessage.person_id).where(OutboxMessage.campaign_id == campaign_id)
    query = select(func.count(func.distinct(ContactAddress.person_id))).where(
        ContactAddress.person_id.in_(people), ContactAddress.opted_out_at >= since
    )
    return int(await session.scalar(query) or 0)


async def _failures(
    session: AsyncSession, campaign_id: int, limit: int | None
) -> list[Row[*tuple[Any, ...]]]:
    latest = _latest(campaign_id)
    query = (
        select(OutboxMessage, Person.full_name, Area.name)
        .join(latest, latest.c.id == OutboxMessage.id)
        .join(Person, Person.id == OutboxMessage.person_id)
        .outerjoin(Beneficiary, Beneficiary.person_id == Person.id)
        .outerjoin(Area, Area.id == Beneficiary.commune_id)
        .where(OutboxMessage.status.in_(FAILED))
        .order_by(OutboxMessage.id)
    )
    return list((await session.execute(query.limit(limit) if limit else query)).all())


async def resend_failed(
    session: AsyncSession,
    *,
    campaign_id: int,
    actor: str,
    now: datetime | None = None,
    settings: Settings | None = None,
) -> int:
    """Queue the campaign again for each person whose latest message failed or expired."""
    campaign = await locked_campaign(session, campaign_id, ("running", "paused"))
    settings, now = settings or get_settings(), now or utcnow()
    campaign.resend_rounds += 1
    queued = 0
    for row in await _failures(session, campaign_id, None):
        message: OutboxMessage = row[0]
        again = await enqueue(
            session,
            person_id=message.person_id,
            key=KEY,
            params=message.params,
            message_class="campaign",
            campaign_id=campaign_id,
            expires_at=campaign.expires_at,
            idempotency_key=f"campaign:{campaign_id}:r{campaign.resend_rounds}:{message.person_id}",
            settings=settings,
            now=now,
        )
        queued += again is not None
    await record(
        session,
        actor=actor,
        action="resend",
        entity="campaign",
        entity_id=campaign_id,
        details={"round": campaign.resend_rounds, "queued": queued},
    )
    await session.flush()
    return queued


async def failures_file(
    session: AsyncSession, *, campaign_id: int, actor: str, fmt: str = "csv"
) -> ExportFile:
    """The people the campaign failed to reach, for officers to follow up (audited)."""
    await get_campaign(session, campaign_id)
    rows = await _failures(session, campaign_id, None)
    cells = [
        [
            m.person_id,
            name,
            commune,
            m.channel,
            mask_address(m.address),
            m.status,
            m.failure_reason,
            m.attempts,
            m.updated_at.isoformat() if m.updated_at else "",
        ]
        for m, name, commune in rows
    ]
    content = write_table(fmt, FAILURE_COLUMNS, cells, title=f"campaign {campaign_id}")
    await record(
        session,
        actor=actor,
        action="export",
        entity="campaign",
        entity_id=campaign_id,
        details={"failures": len(cells), "format": fmt},
    )
    await session.flush()
    return ExportFile(content, f"campaign-{campaign_id}-failures.{fmt}", FORMATS[fmt], len(cells))
