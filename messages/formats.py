"""Money, dates, times, periods and account numbers as people read them.

Choices (tested in tests/messages/test_formats.py):
- Money is whole VND. Vietnamese: "500.000 đ" (dots group thousands, then a plain space and
  "đ"); SMS shaping turns it into "500.000 d". English: "500,000 VND". Never Babel's currency
  format: its "₫" and no-break space are outside GSM-7 and would force UCS-2 on SMS.
- Dates are dd/mm/yyyy in every language (the recipients live in Vietnam), on the calendar of
  Asia/Ho_Chi_Minh; times are 24-hour "HH:MM"; a period (month) is "MM/YYYY".
- An account number shows only its last 4 digits: "****6789".
Values may arrive straight from JSON (outbox parameters), so ISO strings are accepted too.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from decimal import Decimal
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import get_day_names
from babel.numbers import format_decimal, get_group_symbol

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
_CURRENCY = {"vi": "{number} đ", "en": "{number} VND"}
_INTEGER = re.compile(r"-?\d+")
_PERIOD_ISO = re.compile(r"(\d{4})-(\d{1,2})")
_PERIOD_VN = re.compile(r"(\d{1,2})/(\d{4})")
_DATE_VN = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_TIME = re.compile(r"(\d{1,2})[:hH](\d{2})")


class FormatError(ValueError):
    """A value that cannot be shown as the type it was declared."""


def as_int(value: Any) -> int:
    """A whole number from an int, an integral Decimal or a string of digits."""
    if isinstance(value, bool):
        raise FormatError(f"a whole number is expected, got {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)
    if isinstance(value, str) and _INTEGER.fullmatch(value.strip()):
        return int(value.strip())
    raise FormatError(f"a whole number is expected, got {value!r}")


def format_number(value: Any, locale: str) -> str:
    """A whole number grouped the locale's way: vi '12.345.678', en '12,345,678'."""
    number = as_int(value)
    symbol = _group_symbol(locale)
    if symbol is None:
        return str(format_decimal(number, locale=locale, group_separator=True))
    return f"{number:,}".replace(",", symbol)  # Babel's answer at a fraction of its cost


@cache
def _group_symbol(locale: str) -> str | None:
    """The locale's thousands separator if grouping by three with it is what Babel writes."""
    symbol = str(get_group_symbol(locale))
    probe = -1_234_567_890
    babel = format_decimal(probe, locale=locale, group_separator=True)
    return symbol if f"{probe:,}".replace(",", symbol) == babel else None


def format_money(amount: Any, locale: str) -> str:
    """An amount of VND: vi '500.000 đ', en '500,000 VND'."""
    pattern = _CURRENCY.get(locale, _CURRENCY["vi"])
    return pattern.format(number=format_number(amount, locale))


def to_local(value: datetime) -> datetime:
    """An aware datetime on Vietnam's clock (a naive one is refused: its zone is unknown)."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise FormatError("a timezone-aware datetime is expected (naive datetimes are ambiguous)")
    return value.astimezone(LOCAL_TZ)


def as_date(value: Any) -> date:
    """A calendar date from a date, an aware datetime, 'YYYY-MM-DD[T...]' or 'dd/mm/yyyy'."""
    if isinstance(value, datetime):
        return to_local(value).date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return _parse_date(value.strip())
    raise FormatError(f"a date is expected, got {value!r}")


def _parse_date(text: str) -> date:
    try:
        if match := _DATE_VN.fullmatch(text):
            day, month, year = (int(g) for g in match.groups())
            return date(year, month, day)
        if len(text) == 10:
            return date.fromisoformat(text)
        return as_date(datetime.fromisoformat(text))
    except ValueError as error:
        raise FormatError(f"not a date: {text!r} ({error})") from None


def format_date(value: Any) -> str:
    """'10/11/2026' (Vietnam's calendar for datetimes)."""
    return as_date(value).strftime("%d/%m/%Y")


def format_time(value: Any) -> str:
    """'08:00' from a time, an aware datetime or 'HH:MM' (also '8h00')."""
    if isinstance(value, datetime):
        value = to_local(value).time()
    elif isinstance(value, str):
        value = _parse_time(value.strip())
    if not isinstance(value, time):
        raise FormatError(f"a time of day is expected, got {value!r}")
    return value.strftime("%H:%M")


def _parse_time(text: str) -> time:
    match = _TIME.fullmatch(text)
    try:
        if match is None:
            return time.fromisoformat(text)
        return time(int(match.group(1)), int(match.group(2)))
    except ValueError:
        raise FormatError(f"not a time of day: {text!r}") from None


def format_period(value: Any) -> str:
    """A month as '11/2026' from 'YYYY-MM', 'MM/YYYY', a date or an aware datetime."""
    if isinstance(value, date):
        day = as_date(value)
        year, month = day.year, day.month
    elif isinstance(value, str) and (match := _PERIOD_ISO.fullmatch(value.strip())):
        year, month = int(match.group(1)), int(match.group(2))
    elif isinstance(value, str) and (match := _PERIOD_VN.fullmatch(value.strip())):
        month, year = int(match.group(1)), int(match.group(2))
    else:
        raise FormatError(f"a month is expected ('YYYY-MM' or 'MM/YYYY'), got {value!r}")
    if not 1 <= month <= 12:
        raise FormatError(f"not a month: {value!r}")
    return f"{month:02d}/{year:04d}"


def format_year(value: Any) -> str:
    """A year as plain digits: '1950' (never grouped)."""
    return str(as_int(value))


def mask_account(value: Any) -> str:
    """'****6789': only the last 4 digits of an account number, whether masked already or not."""
    digits = re.search(r"\d{1,4}$", str(value).strip())
    if digits is None:
        raise FormatError("an account number must end with digits")
    return "****" + digits.group(0)


# Vietnamese weekdays as opening hours write them: "T2-T7", "Thứ 2 - Thứ 6", "CN", "Chủ nhật"
_VI_WEEKDAY = re.compile(r"\b(?:T|Thứ\s?)([2-7])\b|\b(CN|Chủ nhật)\b", re.IGNORECASE)


def localize_hours(text: str, locale: str) -> str:
    """Opening hours as officers write them ("07:30-17:00, T2-T7"), with the weekdays in the
    reader's language ("07:30-17:00, Mon-Sat"); unchanged in Vietnamese."""
    if locale == "vi":
        return text
    names = get_day_names("abbreviated", locale=locale)  # 0 = Monday ... 6 = Sunday

    def day(match: re.Match[str]) -> str:
        return str(names[6] if match[2] else names[int(match[1]) - 2])

    return _VI_WEEKDAY.sub(day, text)
