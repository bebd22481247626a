"""Money, dates, times, periods and account numbers."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal

import pytest

from messages import formats
from messages.formats import FormatError, localize_hours


@pytest.mark.parametrize(
    ("amount", "locale", "expected"),
    [
        (500_000, "vi", "500.000 đ"),
        (12_345_678, "vi", "12.345.678 đ"),
        (0, "vi", "0 đ"),
        (999, "vi", "999 đ"),
        ("540000", "vi", "540.000 đ"),
        (Decimal(2789000), "vi", "2.789.000 đ"),
        (500_000, "en", "500,000 VND"),
        (12_345_678, "en", "12,345,678 VND"),
    ],
)
def test_money(amount: object, locale: str, expected: str) -> None:
    assert formats.format_money(amount, locale) == expected


@pytest.mark.parametrize("bad", [True, 1.5, "5e5", "500.000", None, Decimal("1.5")])
def test_money_must_be_whole_vnd(bad: object) -> None:
    with pytest.raises(FormatError):
        formats.format_money(bad, "vi")


def test_money_never_uses_babel_currency_characters() -> None:
    for locale in ("vi", "en"):
        text = formats.format_money(1_234_567, locale)
        assert "₫" not in text and "\u00a0" not in text and "\u202f" not in text


def test_number_grouping_per_locale() -> None:
    assert formats.format_number(25_000, "vi") == "25.000"
    assert formats.format_number(25_000, "en") == "25,000"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (date(2026, 11, 5), "05/11/2026"),
        ("2026-11-05", "05/11/2026"),
        ("5/11/2026", "05/11/2026"),
        (datetime(2026, 11, 9, 18, 30, tzinfo=UTC), "10/11/2026"),  # 01:30 in Hanoi
        (datetime(2026, 11, 9, 16, 59, tzinfo=UTC), "09/11/2026"),
        ("2026-11-09T18:30:00+00:00", "10/11/2026"),
        (datetime(2026, 11, 10, 0, 30, tzinfo=timezone(timedelta(hours=9))), "09/11/2026"),
    ],
)
def test_dates_on_vietnams_calendar(value: object, expected: str) -> None:
    assert formats.format_date(value) == expected


@pytest.mark.parametrize(
    "bad", [datetime(2026, 11, 9, 18, 30), "2026-11-09T18:30:00", "31/02/2026", "soon", 20261109]
)
def test_bad_dates_are_refused(bad: object) -> None:
    with pytest.raises(FormatError):
        formats.format_date(bad)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (time(8, 0), "08:00"),
        ("8:00", "08:00"),
        ("14h30", "14:30"),
        (datetime(2026, 11, 10, 1, 0, tzinfo=UTC), "08:00"),
    ],
)
def test_times(value: object, expected: str) -> None:
    assert formats.format_time(value) == expected


@pytest.mark.parametrize("bad", ["25:00", "noon", 8, datetime(2026, 1, 1, 8, 0)])
def test_bad_times_are_refused(bad: object) -> None:
    with pytest.raises(FormatError):
        formats.format_time(bad)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-11", "11/2026"),
        ("11/2026", "11/2026"),
        ("3/2026", "03/2026"),
        (date(2026, 11, 30), "11/2026"),
        (datetime(2026, 11, 30, 17, 30, tzinfo=UTC), "12/2026"),  # already December in Hanoi
    ],
)
def test_periods(value: object, expected: str) -> None:
    assert formats.format_period(value) == expected


@pytest.mark.parametrize("bad", ["2026-13", "13/2026", "2026", 202611])
def test_bad_periods_are_refused(bad: object) -> None:
    with pytest.raises(FormatError):
        formats.format_period(bad)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1234567890123", "****0123"),
        ("020******123", "****123"),
        ("****6789", "****6789"),
        (12345678, "****5678"),
    ],
)
def test_account_numbers_show_only_their_end(value: object, expected: str) -> None:
    assert formats.mask_account(value) == expected


def test_account_without_digits_is_refused() -> None:
    with pytest.raises(FormatError):
        formats.mask_account("unknown")


def test_year_is_never_grouped() -> None:
    assert formats.format_year(1950) == "1950"


@pytest.mark.parametrize(
    ("hours", "english"),
    [
        ("07:30-17:00, T2-T7", "07:30-17:00, Mon-Sat"),
        ("Thứ 2 - Thứ 6: 7h-17h", "Mon - Fri: 7h-17h"),
        ("T2-CN", "Mon-Sun"),
        ("Chủ nhật: 8:00-11:00", "Sun: 8:00-11:00"),
        ("24/7", "24/7"),
    ],
)
def test_opening_hours_name_the_weekdays_in_the_readers_language(hours: str, english: str) -> None:
    assert localize_hours(hours, "en") == english
    assert localize_hours(hours, "vi") == hours
