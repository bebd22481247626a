"""Text folding: Vietnamese without diacritics, for SMS and for accent-free search."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Unicode decomposition leaves these letters alone: they are letters, not letters + marks.
_SPECIAL = {"đ": "d", "Đ": "D", "ð": "d", "Ð": "D"}
_SPACES = re.compile(r"\s+")


def _base_letter(char: str) -> str:
    if char in _SPECIAL:
        return _SPECIAL[char]
    decomposed = unicodedata.normalize("NFD", char)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# One table for every precomposed Latin letter (Vietnamese lives in U+00C0-U+1EFF), so the
# common case is a single C-level str.translate; rarer text falls back to decomposition.
_TABLE = {code: _base_letter(chr(code)) for code in range(0xC0, 0x1F00)}
_TABLE = {code: value for code, value in _TABLE.items() if value != chr(code)}


def strip_diacritics(value: str) -> str:
    """'Phường Đông Kinh' -> 'Phuong Dong Kinh' (case kept)."""
    translated = value.translate(_TABLE)
    if translated.isascii():
        return translated
    decomposed = unicodedata.normalize("NFD", translated)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped)


@lru_cache(maxsize=16384)
def fold(value: str) -> str:
    """Search key: no diacritics, lower case, single spaces ('  Đông  KINH ' -> 'dong kinh')."""
    return _SPACES.sub(" ", strip_diacritics(value).lower()).strip()
