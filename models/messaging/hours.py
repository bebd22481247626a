"""Delivery windows and Vietnamese days: when a message of each class may go out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from models.settings import Settings

# Replies answer a person who just wrote; they (and verification codes) ignore quiet hours.
UNRESTRICTED_CLASSES = frozenset({"reply"})
UNRESTRICTED_KEYS = frozenset({"notice.verification_code"})


@dataclass(frozen=True, slots=True)
class Window:
    """A daily window of local time, "08:00-20:00"; it may wrap past midnight."""

    start: time
    end: time

    @classmethod
    def parse(cls, text: str) -> Window:
        """Read "HH:MM-HH:MM"."""
        first, last = text.split("-")
        return cls(time.fromisoformat(first), time.fromisoformat(last))

    def contains(self, moment: time) -> bool:
        """Whether a local time of day lies inside the window ("00:00-00:00" is all day)."""
        if self.start == self.end:
            return True
        if self.start < self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end


@lru_cache(maxsize=8)
def zone(name: str) -> ZoneInfo:
    """The time zone called `name` (cached)."""
    return ZoneInfo(name)


def window_for(message_class: str, key: str, settings: Settings) -> Window | None:
    """The sending window of a message, or None when it may go at any hour."""
    if message_class in UNRESTRICTED_CLASSES or key in UNRESTRICTED_KEYS:
        return None
    hours = settings.campaign_hours if message_class == "campaign" else settings.notice_hours
    return Window.parse(hours)


def next_open(now: datetime, window: Window | None, tz: ZoneInfo) -> datetime:
    """`now` if the window is open, else the UTC instant the window next opens."""
    if window is None:
        return now
    local = now.astimezone(tz)
    if window.contains(local.time()):
        return now
    opening = datetime.combine(local.date(), window.start, tz)
    if opening <= local:
        opening = datetime.combine(local.date() + timedelta(days=1), window.start, tz)
    return opening.astimezone(UTC)


def day_start(now: datetime, tz: ZoneInfo) -> datetime:
    """The UTC instant the local day of `now` began."""
    local = now.astimezone(tz)
    return datetime.combine(local.date(), time(0), tz).astimezone(UTC)


def next_day_open(now: datetime, window: Window | None, tz: ZoneInfo) -> datetime:
    """When the window opens on the local day after `now`."""
    tomorrow = day_start(now, tz) + timedelta(days=1, hours=1)
    midnight = day_start(tomorrow, tz)
    return next_open(midnight, window, tz)
