"""Text folding: Vietnamese without diacritics, for SMS and for accent-free search."""

from __future__ import annotations

import re
import unicodedata

# Unicode decomposition leaves these letters alone: they are letters, not letters + marks.
_SPECIAL = str.maketrans({"đ": "d", "Đ": "D", "ð": "d", "Ð": "D"})
_SPACES = re.compile(r"\s+")


def strip_diacritics(value: str) -> str:
    """'Phường Đông Kinh' -> 'Phuong Dong Kinh' (case kept)."""
    decomposed = unicodedata.normalize("NFD", value.translate(_SPECIAL))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped)


def fold(value: str) -> str:
    """Search key: no diacritics, lower case, single spaces ('  Đông  KINH ' -> 'dong kinh')."""
    return _SPACES.sub(" ", strip_diacritics(value).lower()).strip()
