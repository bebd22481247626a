"""A campaign's preview: how many people (exact), on which channels, how many SMS parts, what
it costs and how long it takes under the channels' rate limits and the campaign hours.

Above SAMPLE_TARGET people the channels are measured on an even sample and scaled up, so a
preview over a million people stays quick; below, every person is routed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from messages.render import render
from models.messaging.hours import Window, next_open, window_for, zone
from models.outreach.audience import KEY, AudienceSpec, audience_count, without_jit
from models.outreach.mix import Mix, channel_mix
from models.settings import Settings

SAMPLE_TARGET = 5_000
CHANNELS = ("telegram", "zalo", "zns", "sms")


@dataclass
class Preview:
    """What launching the campaign would do (counts beyond `audience` are estimates)."""

    audience: int
    channels: dict[str, int]
    suppressed: int
    sms_segments: dict[str, int]
    sms_encoding: dict[str, str]
    cost_vnd: int
    send_seconds: float
    starts_at: datetime
    finishes_at: datetime
    sampled: bool


def _scaled(mix: Mix, audience_size: int) -> dict[str, dict[str, int]]:
    factor = audience_size / mix.people if mix.people else 0.0
    return {
        locale: {name: round(value * factor) for name, value in counts.items()}
        for locale, counts in mix.routes.items()
    }


async def preview(
    session: AsyncSession,
    *,
    spec: AudienceSpec,
    texts: dict[str, str],
    sms_texts: dict[str, str],
    starts_at: datetime,
    settings: Settings,
) -> Preview:
    """Audience, channels, SMS parts, cost and sending time of a campaign."""
    await without_jit(session)
    size = await audience_count(session, spec)
    every = max(1, size // SAMPLE_TARGET)
    mix = await channel_mix(session, spec, every=every, zns_templates=settings.zns_templates)
    routes = _scaled(mix, size)
    channels = {name: sum(r.get(name, 0) for r in routes.values()) for name in CHANNELS}
    shapes = {
        locale: render(
            KEY,
            {"text": sms_texts.get(locale) or texts.get(locale) or texts["vi"]},
            locale=locale,
            channel="sms",
        )
        for locale in ("vi", "en")
    }
    segments = {locale: shape.segments for locale, shape in shapes.items()}
    sms_parts = sum(r.get("sms", 0) * segments[locale] for locale, r in routes.items())
    zns_cost = channels["zns"] * settings.zns_message_cost_vnd
    seconds = _send_seconds(channels, sms_parts, settings)
    start, finish = _timeline(starts_at, seconds, settings)
    return Preview(
        audience=size,
        channels=channels,
        suppressed=sum(r.get("suppressed", 0) for r in routes.values()),
        sms_segments=segments,
        sms_encoding={locale: shape.encoding for locale, shape in shapes.items()},
        cost_vnd=sms_parts * settings.sms_segment_cost_vnd + zns_cost,
        send_seconds=seconds,
        starts_at=start,
        finishes_at=finish,
        sampled=every > 1,
    )


def _send_seconds(channels: dict[str, int], sms_parts: int, settings: Settings) -> float:
    """Channels send side by side, each under its own rate: the slowest one decides."""
    times = [
        sms_parts / settings.sms_rate_segments_per_second,
        channels["telegram"] / settings.telegram_rate_per_second,
        channels["zalo"] / settings.zalo_bot_rate_per_second,
        channels["zns"] / settings.zns_rate_per_second,
    ]
    return max(times)


def _closes(local: datetime, window: Window) -> datetime | None:
    """When the window open at `local` closes (None: it never does)."""
    if window.start == window.end:
        return None
    close = datetime.combine(local.date(), window.end, local.tzinfo)
    if window.start > window.end and local.time() >= window.start:
        close += timedelta(days=1)  # a window past midnight closes the next morning
    return close


def _timeline(starts_at: datetime, seconds: float, settings: Settings) -> tuple[datetime, datetime]:
    """When sending starts and ends, sending only while the campaign window is open."""
    tz, window = zone(settings.timezone), window_for("campaign", KEY, settings)
    moment = next_open(starts_at, window, tz)
    first, left = moment, seconds
    for _ in range(3660):  # ten years of days: a bound, never reached in practice
        close = _closes(moment.astimezone(tz), window) if window else None
        if close is None or moment + timedelta(seconds=left) <= close:
            return first, moment + timedelta(seconds=left)
        left -= (close - moment).total_seconds()
        moment = next_open(close + timedelta(seconds=1), window, tz)
    return first, moment
