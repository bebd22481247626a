"""The Vietnamese bank list and finding a bank from what a person typed."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import cache, lru_cache

from messages.text import fold
from models.data import BANKS_FILE
from models.people.parsed import Parsed, bad, good

MAX_OPTIONS = 5
# Words nearly every bank name carries; they only narrow a search when nothing else is typed.
_GENERIC_WORDS = frozenset({"ngan", "hang", "nh", "nhtm", "tmcp", "bank"})
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_FUZZY_CUTOFF = 0.8
_FUZZY_MARGIN = 0.04
# Former names people still use, by the code of the bank that carries them on (compacted).
_FORMER_NAMES = {
    "lienvietpostbank": "LPB",
    "lienviet": "LPB",
    "buudienlienviet": "LPB",
    "nganhangbuudienlienviet": "LPB",
}
# Where the branch begins in "Agribank chi nhánh Lộc Bình", "Vietcombank CN Lạng Sơn"
_BRANCH = re.compile(r"\b(?:chi nhanh|cn|pgd|phong giao dich|branch)\b.*$")
# Words of a place written after a bank's name: Lạng Sơn, its towns and former districts.
_PLACE_NAMES = (
    "lang son|ls|tinh|thanh pho|tp|huyen|xa|phuong|thi tran|bac son|binh gia|cao loc|chi lang|"
    "dinh lap|huu lung|loc binh|trang dinh|van lang|van quan|dong dang|na sam"
)
_PLACE_WORDS = frozenset(word for name in _PLACE_NAMES.split("|") for word in name.split())


@dataclass(frozen=True)
class Bank:
    """A bank or payment institution with its NAPAS/VietQR BIN (None when it has none)."""

    code: str
    bin: str | None
    short_name: str
    name: str
    swift: str | None


@dataclass(frozen=True)
class _Entry:
    """A bank with its search keys precomputed."""

    bank: Bank
    exact: frozenset[str]
    words: tuple[str, ...]
    compact_short: str


def _compact(value: str) -> str:
    return _NON_ALNUM.sub("", fold(value))


def _words(value: str) -> list[str]:
    return [w for w in _NON_ALNUM.split(fold(value)) if w]


@cache
def all_banks() -> tuple[Bank, ...]:
    """Every bank in the shipped list, in file order."""
    rows = json.loads(BANKS_FILE.read_text(encoding="utf-8"))["banks"]
    return tuple(
        Bank(
            code=row["code"],
            bin=row["bin"] or None,
            short_name=row["short_name"],
            name=row["name"],
            swift=row["swift"] or None,
        )
        for row in rows
    )


@cache
def _entries() -> tuple[_Entry, ...]:
    return tuple(
        _Entry(
            bank=bank,
            exact=frozenset({_compact(bank.code), _compact(bank.short_name)}),
            words=tuple(_words(f"{bank.short_name} {bank.name} {bank.code}")),
            compact_short=_compact(bank.short_name),
        )
        for bank in all_banks()
    )


def _by_bin(digits: str) -> list[Bank]:
    return [e.bank for e in _entries() if e.bank.bin == digits]


def _by_exact(compact: str) -> list[Bank]:
    former = _FORMER_NAMES.get(compact)
    return [e.bank for e in _entries() if compact in e.exact or e.bank.code == former]


def _search_tokens(query: str) -> list[str]:
    tokens = _words(query)
    specific = [t for t in tokens if t not in _GENERIC_WORDS]
    return specific or tokens


def _by_keywords(tokens: list[str], compact: str) -> list[Bank]:
    """Banks whose words start with every token, or whose short name contains the query."""
    found = []
    for entry in _entries():
        prefixes = all(any(w.startswith(t) for w in entry.words) for t in tokens)
        if prefixes or (len(compact) >= 3 and compact in entry.compact_short):
            found.append(entry.bank)
    return found


def _similarity(a: str, b: str) -> float:
    return SequenceMatcher(None, a, b).ratio()


def _best(scored: list[tuple[float, Bank]]) -> list[Bank]:
    """The banks scoring at the cutoff and close to the best score, best first."""
    scored = [item for item in scored if item[0] >= _FUZZY_CUTOFF]
    if not scored:
        return []
    top = max(score for score, _ in scored)
    scored.sort(key=lambda item: -item[0])
    return [bank for score, bank in scored if score >= top - _FUZZY_MARGIN]


def _by_fuzzy_name(compact: str) -> list[Bank]:
    """Typos in a short name or code ('agribak', 'vietcombak')."""
    return _best([(max(_similarity(compact, key) for key in e.exact), e.bank) for e in _entries()])


def _token_score(token: str, words: tuple[str, ...]) -> float:
    if any(w.startswith(token) for w in words):
        return 1.0
    return max(_similarity(token, w) for w in words)


def _by_fuzzy_words(tokens: list[str]) -> list[Bank]:
    """Typos in words of the full name ('nong ngiep')."""
    return _best([(min(_token_score(t, e.words) for t in tokens), e.bank) for e in _entries()])


def _decide(found: list[Bank]) -> Parsed[Bank] | None:
    if len(found) == 1:
        return good(found[0])
    if found:
        return bad(
            "id.bank.ambiguous", options=", ".join(b.short_name for b in found[:MAX_OPTIONS])
        )
    return None


@lru_cache(maxsize=2048)
def find_bank(query: str) -> Parsed[Bank]:
    """A bank by BIN, code, short name, former name, keyword of its name, or a near spelling;
    a branch or a place after the bank's name is let go ("Agribank Lạng Sơn")."""
    found = _find_bank(query)
    if found.error is None or found.error.key != "id.bank.unknown":
        return found
    words = _words(_BRANCH.sub("", fold(query)))
    while len(words) > 1 and words[-1] in _PLACE_WORDS:
        words.pop()  # "agribank lang son" -> "agribank"
    shorter = " ".join(words)
    named = [w for w in words if w not in _GENERIC_WORDS and w not in _PLACE_WORDS]
    # "Ngân hàng Lạng Sơn" names no bank: it stays unknown rather than "ngân hàng" matching all
    return _find_bank(shorter) if named and shorter != fold(query) else found


def _find_bank(query: str) -> Parsed[Bank]:
    compact = _compact(query)
    if not compact:
        return bad("id.bank.unknown")
    if compact.isdigit():
        return _decide(_by_bin(compact)) or bad("id.bank.unknown")
    tokens = _search_tokens(query)
    searches = (
        lambda: _by_exact(compact),
        lambda: _by_keywords(tokens, compact),
        lambda: _by_fuzzy_name(compact),
        lambda: _by_fuzzy_words(tokens),
    )
    for search in searches:
        decided = _decide(search())
        if decided is not None:
            return decided
    return bad("id.bank.unknown")
