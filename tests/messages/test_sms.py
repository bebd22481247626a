"""GSM-7 shaping, segment counting and splitting."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from messages.sms import is_gsm7, segments, split_sms, to_sms_text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Phường Đông Kinh", "Phuong Dong Kinh"),
        ("Tiền trợ cấp 500.000\u00a0₫", "Tien tro cap 500.000 d"),
        ("“Ông” ‘Bà’ — chờ…", "\"Ong\" 'Ba' - cho..."),
        ("ĐẮK LẮK đ", "DAK LAK d"),
        ("Chúc mừng 🎉", "Chuc mung "),
        ("½ ﬁ Ａ x²", "1/2 fi A x2"),
        ("a\tb\u202fc", "a b c"),
        ("Giá 10€ [ghi chú]", "Gia 10€ [ghi chu]"),
        ("漢", "?"),
    ],
)
def test_to_sms_text(text: str, expected: str) -> None:
    assert to_sms_text(text) == expected


@given(st.text())
def test_to_sms_text_is_always_gsm7_and_stable(text: str) -> None:
    shaped = to_sms_text(text)
    assert is_gsm7(shaped)
    assert to_sms_text(shaped) == shaped


@pytest.mark.parametrize(
    ("text", "encoding", "parts", "units"),
    [
        ("", "GSM-7", 1, 0),
        ("a" * 160, "GSM-7", 1, 160),
        ("a" * 161, "GSM-7", 2, 161),
        ("a" * 306, "GSM-7", 2, 306),
        ("a" * 307, "GSM-7", 3, 307),
        ("€" * 80, "GSM-7", 1, 160),
        ("€" * 81, "GSM-7", 2, 162),
        ("{}[]~|^\\\x0c", "GSM-7", 1, 18),
        ("a" * 159 + "€", "GSM-7", 2, 161),
        ("ă" * 70, "UCS-2", 1, 70),
        ("ă" * 71, "UCS-2", 2, 71),
        ("Tiền " + "a" * 65, "UCS-2", 1, 70),
        ("😀" * 35, "UCS-2", 1, 70),
        ("😀" * 36, "UCS-2", 2, 72),
        ("a" * 159 + "😀", "UCS-2", 3, 161),
    ],
)
def test_segments(text: str, encoding: str, parts: int, units: int) -> None:
    info = segments(text)
    assert (info.encoding, info.segments, info.units) == (encoding, parts, units)


def test_split_never_cuts_an_escape_pair() -> None:
    text = "a" * 152 + "€" + "a" * 10
    assert split_sms(text) == ["a" * 152, "€" + "a" * 10]


def test_split_never_cuts_a_surrogate_pair() -> None:
    text = "ă" * 66 + "😀" + "ă" * 10
    assert split_sms(text) == ["ă" * 66, "😀" + "ă" * 10]


def _units(part: str, gsm: bool) -> int:
    if gsm:
        return sum(2 if ch in "\x0c^{}\\[~]|€" else 1 for ch in part)
    return len(part.encode("utf-16-le")) // 2


_ALPHABET = st.sampled_from(list("abc XYZ019.,\n€{}[]^~|\\\x0căđƯữ😀🇻🇳"))


@given(st.text(alphabet=_ALPHABET, max_size=700) | st.text(max_size=400))
def test_split_sms_round_trips_within_limits(text: str) -> None:
    parts = split_sms(text)
    info = segments(text)
    gsm = info.encoding == "GSM-7"
    assert "".join(parts) == text
    assert len(parts) == info.segments
    single, per_part = (160, 153) if gsm else (70, 67)
    limit = single if len(parts) == 1 else per_part
    assert all(_units(part, gsm) <= limit for part in parts)
    assert all(part for part in parts) or parts == [""]
