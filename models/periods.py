"""Months of payment ('YYYY-MM'): reading them, the month before, the 15th, their UTC bounds."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from models.errors import Invalid

_PERIOD = re.compile(r"^(\d{4})-(\d{2})$")
DUE_DAY = 15  # the programme pays, and communes report, before the 15th of each month
WARN_FROM_DAY = 10  # from the 10th, an unfinished list is flagged


@dataclass(frozen=True, order=True, slots=True)
class Period:
    """A calendar month."""

    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Period:
        """Read 'YYYY-MM'; Invalid (admin.pay.period_invalid) otherwise."""
        found = _PERIOD.match(text.strip()) if isinstance(text, str) else None
        if found is None or not 1 <= int(found.group(2)) <= 12 or int(found.group(1)) < 2000:
            raise Invalid("admin.pay.period_invalid", period=text)
        return cls(int(found.group(1)), int(found.group(2)))

    @classmethod
    def of(cls, day: date) -> Period:
        """The month `day` falls in."""
        return cls(day.year, day.month)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    def previous(self) -> Period:
        """The month before."""
        return Period(self.year - 1, 12) if self.month == 1 else Period(self.year, self.month - 1)

    def next(self) -> Period:
        """The month after."""
        return Period(self.year + 1, 1) if self.month == 12 else Period(self.year, self.month + 1)

    def first_day(self) -> date:
        """The 1st of the month."""
        return date(self.year, self.month, 1)

    def due(self) -> date:
        """The 15th: payments and reports are due before it."""
        return date(self.year, self.month, DUE_DAY)

    def bounds(self, tz: ZoneInfo) -> tuple[datetime, datetime]:
        """The month in local time as a half-open UTC range [start, end)."""
        start = datetime.combine(self.first_day(), time(0), tz).astimezone(UTC)
        end = datetime.combine(self.next().first_day(), time(0), tz).astimezone(UTC)
        return start, end


def days_left(period: Period, today: date) -> int:
    """Days from `today` to the 15th of the period (negative once it has passed)."""
    return (period.due() - today).days


def due_warning(period: Period, today: date) -> bool:
    """Whether the 15th is near: from the 10th of the period's month onwards."""
    return today >= date(period.year, period.month, WARN_FROM_DAY)
