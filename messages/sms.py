"""SMS shaping: GSM-7 text without diacritics, segment counting and splitting.

GSM 03.38: a message in the default alphabet holds 160 septets (153 per part of a concatenated
message); characters of the extension table take two septets (an escape and the character) and
an escape pair is never split. Any other character forces UCS-2: 70 UTF-16 code units (67 per
part), and a surrogate pair is never split.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from messages.text import strip_diacritics

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("\x0c^{}\\[~]|€")
_GSM7 = GSM7_BASIC | GSM7_EXTENSION
GSM7_SINGLE, GSM7_PART = 160, 153
UCS2_SINGLE, UCS2_PART = 70, 67

# Close GSM-7 equivalents for characters common in Vietnamese text and typography.
_EQUIVALENTS = {
    "…": "...",
    "‘": "'",
    "’": "'",
    "‚": "'",
    "‛": "'",
    "′": "'",
    "`": "'",
    "´": "'",
    "“": '"',
    "”": '"',
    "„": '"',
    "‟": '"',
    "″": '"',
    "«": '"',
    "»": '"',
    "‹": "'",
    "›": "'",
    "–": "-",
    "—": "-",
    "―": "-",
    "‐": "-",
    "‑": "-",
    "−": "-",
    "•": "-",
    "·": ".",
    "×": "x",
    "÷": "/",
    "⁄": "/",
    "₫": "d",
    "\t": " ",
    "\u00a0": " ",  # no-break space
    "\u202f": " ",  # narrow no-break space (Babel's French/Vietnamese grouping)
    "\u2028": "\n",
    "\u2029": "\n",
}
_DROPPED_CATEGORIES = frozenset({"Mn", "Me", "Cf", "Cc", "Cs", "Co", "Sk", "So"})


@dataclass(frozen=True, slots=True)
class SmsInfo:
    """How a text travels as SMS: septets (GSM-7) or UTF-16 code units (UCS-2)."""

    encoding: str  # "GSM-7" | "UCS-2"
    segments: int
    units: int


def is_gsm7(text: str) -> bool:
    """True when every character is in the GSM-7 default alphabet or its extension table."""
    return _GSM7.issuperset(text)


def to_sms_text(text: str) -> str:
    """The text in GSM-7 only: no diacritics ('đ' -> 'd'), close equivalents for the rest."""
    stripped = strip_diacritics(text)
    if _GSM7.issuperset(stripped):  # the usual case, checked at C speed
        return stripped
    return "".join(_to_gsm(ch) for ch in stripped)


def _to_gsm(ch: str) -> str:
    if ch in GSM7_BASIC or ch in GSM7_EXTENSION:
        return ch
    if ch in _EQUIVALENTS:
        return _EQUIVALENTS[ch]
    compat = strip_diacritics(unicodedata.normalize("NFKD", ch))  # fullwidth, ligatures, ², ½
    compat = "".join(_EQUIVALENTS.get(c, c) for c in compat)
    if compat and is_gsm7(compat):
        return compat
    category = unicodedata.category(ch)
    if category.startswith("Z"):
        return " "
    # Marks, invisible format characters and emoji have no GSM form: leave them out.
    return "" if category in _DROPPED_CATEGORIES else "?"


def _septets(ch: str) -> int:
    return 2 if ch in GSM7_EXTENSION else 1


def _utf16_units(ch: str) -> int:
    return 2 if ord(ch) > 0xFFFF else 1


def _scheme(text: str) -> tuple[str, Callable[[str], int], int, int]:
    if is_gsm7(text):
        return "GSM-7", _septets, GSM7_SINGLE, GSM7_PART
    return "UCS-2", _utf16_units, UCS2_SINGLE, UCS2_PART


def _units(text: str, encoding: str) -> int:
    """Septets or UTF-16 code units of the whole text, counted at C speed."""
    if encoding == "GSM-7":
        return len(text) + sum(text.count(ch) for ch in GSM7_EXTENSION)
    return len(text.encode("utf-16-le")) // 2


def split_sms(text: str) -> list[str]:
    """The parts of a concatenated SMS, each within its limit; ''.join(parts) == text."""
    encoding, cost, single, part_limit = _scheme(text)
    if _units(text, encoding) <= single:
        return [text]
    parts: list[str] = []
    start, used = 0, 0
    for index, ch in enumerate(text):
        units = cost(ch)
        if used + units > part_limit:  # never split a character: escape or surrogate pair
            parts.append(text[start:index])
            start, used = index, 0
        used += units
    parts.append(text[start:])
    return parts


def segments(text: str) -> SmsInfo:
    """Encoding, number of SMS parts and units (septets or UTF-16 code units) of `text`."""
    encoding, _, single, _ = _scheme(text)
    units = _units(text, encoding)
    return SmsInfo(encoding, 1 if units <= single else len(split_sms(text)), units)
