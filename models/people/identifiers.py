"""Parsers for citizen IDs, phones, accounts and dates: a normalized value or a keyed problem.

Every parser returns `Parsed`: the normalized value, or a `Problem` whose key messages/
translates (`id.cccd.*`, `id.cmnd.*`, `id.phone.*`, `id.account.*`, `id.bank.*`, `id.date.*`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

import phonenumbers

from messages.text import fold, strip_diacritics
from models.people.banks import Bank, all_banks, find_bank
from models.people.parsed import Parsed, Problem, bad, good

__all__ = [
    "CCCD_PROVINCE_CODES",
    "OLD_MOBILE_PREFIXES",
    "Bank",
    "Cccd",
    "Parsed",
    "Problem",
    "all_banks",
    "find_bank",
    "holder_name_key",
    "parse_account_number",
    "parse_birth_year",
    "parse_cccd",
    "parse_cmnd",
    "parse_date",
    "parse_phone",
    "parse_written_date",
]

PEOPLE_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

# The 63 pre-2025 province codes that open a CCCD number (birth registration province).
_PROVINCE_CODES_TEXT = """
    001 002 004 006 008 010 011 012 014 015 017 019 020 022 024 025 026 027 030 031 033 034
    035 036 037 038 040 042 044 045 046 048 049 051 052 054 056 058 060 062 064 066 067 068 070
    072 074 075 077 079 080 082 083 084 086 087 089 091 092 093 094 095 096"""
CCCD_PROVINCE_CODES = frozenset(_PROVINCE_CODES_TEXT.split())

# Pre-2018 11-digit mobile prefixes (without the leading 0) and their 10-digit replacements.
OLD_MOBILE_PREFIXES: dict[str, str] = {
    **{f"16{d}": f"3{d}" for d in "23456789"},  # Viettel 0162-0169 -> 032-039
    "120": "70",  # MobiFone
    "121": "79",
    "122": "77",
    "126": "76",
    "128": "78",
    "123": "83",  # Vinaphone
    "124": "84",
    "125": "85",
    "127": "81",
    "129": "82",
    "186": "56",  # Vietnamobile
    "188": "58",
    "199": "59",  # Gmobile
}

_ID_SEPARATORS = re.compile(r"[\s.\-]+")
_PHONE_SEPARATORS = re.compile(r"[\s.\-()]+")
_SPACES = re.compile(r"\s+")
_GENDERS = {
    "male": "male",
    "m": "male",
    "nam": "male",
    "female": "female",
    "f": "female",
    "nu": "female",
}


def _today(today: date | None) -> date:
    return today or datetime.now(PEOPLE_TZ).date()


def _id_digits(raw: str) -> str:
    """An ID number with the spaces, dots and dashes people put in it removed."""
    if raw.isascii() and raw.isdigit():  # the common case: nothing to normalize or remove
        return raw
    return _ID_SEPARATORS.sub("", unicodedata.normalize("NFKC", raw))


def _is_digits(value: str) -> bool:
    """Only ASCII digits 0-9 (after NFKC, full-width digits are ASCII too)."""
    return value.isascii() and value.isdigit()


# --- CCCD -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Cccd:
    """A citizen-ID number and what its digits say."""

    number: str
    province_code: str
    gender: str
    birth_year: int


def _normalize_gender(gender: str | None) -> str | None:
    if gender is None:
        return None
    if gender in _GENDERS:  # already plain ('male', as rows are normalized before this check)
        return _GENDERS[gender]
    return _GENDERS.get(strip_diacritics(gender).strip().lower())


def _cccd_shape(digits: str) -> Parsed[Cccd] | None:
    """The problem with the raw shape of a CCCD, or None when it has 12 digits."""
    if not digits:
        return bad("id.cccd.empty")
    if not _is_digits(digits):
        return bad("id.cccd.not_digits")
    if len(digits) == 9:
        return bad("id.cccd.cmnd_given")
    if len(digits) != 12:
        return bad("id.cccd.length", got=len(digits))
    return None


def _cccd_warnings(
    card: Cccd, birth_date: date | None, birth_year: int | None, gender: str | None
) -> tuple[Problem, ...]:
    """Disagreements with the recorded birth year and gender: warnings, records often err."""
    warnings = []
    given_year = birth_date.year if birth_date else birth_year
    if given_year is not None and given_year != card.birth_year:
        warnings.append(Problem("id.cccd.birth_year_mismatch", {"card_year": str(card.birth_year)}))
    given_gender = _normalize_gender(gender)
    if given_gender is not None and given_gender != card.gender:
        warnings.append(Problem("id.cccd.gender_mismatch", {}))
    return tuple(warnings)


def parse_cccd(
    raw: str,
    *,
    birth_date: date | None = None,
    birth_year: int | None = None,
    gender: str | None = None,
    today: date | None = None,
) -> Parsed[Cccd]:
    """A 12-digit citizen ID: known province, a possible birth year; mismatches only warn."""
    digits = _id_digits(raw)
    problem = _cccd_shape(digits)
    if problem is not None:
        return problem
    prefix, marker = digits[:3], int(digits[3])
    if prefix not in CCCD_PROVINCE_CODES:
        return bad("id.cccd.province", prefix=prefix)
    century = 1900 + 100 * (marker // 2)
    this_year = _today(today).year
    if century > this_year:
        return bad("id.cccd.century")
    year = century + int(digits[4:6])
    if year > this_year:
        return bad("id.cccd.birth_year_future")
    card = Cccd(digits, prefix, "female" if marker % 2 else "male", year)
    return good(card, _cccd_warnings(card, birth_date, birth_year, gender))


def parse_cmnd(raw: str) -> Parsed[str]:
    """A legacy 9-digit CMND, kept only to match old lists.

    The 12-digit CMND (2012-2016) has the CCCD layout and was carried over as the CCCD
    number, so it is read with `parse_cccd`, not here.
    """
    digits = _id_digits(raw)
    if len(digits) != 9 or not _is_digits(digits):
        return bad("id.cmnd.invalid")
    return good(digits)


# --- phones -----------------------------------------------------------------------------------
def _phone_digits(raw: str) -> tuple[bool, str] | None:
    """(written with a country code, the digits), or None when other characters are present."""
    if raw.isascii() and raw.isdigit():  # the common case: nothing to normalize or remove
        text = raw
    else:
        text = _PHONE_SEPARATORS.sub("", unicodedata.normalize("NFKC", raw))
    international = text.startswith("+")
    digits = text[1:] if international else text
    if not _is_digits(digits):
        return None
    if not international and digits.startswith("00"):
        return True, digits[2:]
    return international, digits


def _national(international: bool, digits: str) -> str | None:
    """The Vietnamese significant number (no 0, no 84), or None for another country."""
    if international:
        # '+84 0912…' is a common way to write it: the trunk 0 does not belong after 84.
        return digits[2:].removeprefix("0") if digits.startswith("84") else None
    if digits.startswith("0"):
        return digits[1:]
    # Written with the country code but no '+': 84 followed by 9 (or, old style, 10) digits.
    if digits.startswith("84") and len(digits) in (11, 12):
        return digits[2:]
    return digits  # a leading 0 lost in a spreadsheet


def _old_format(national: str) -> Parsed[str] | None:
    """A pre-2018 11-digit mobile: an error that carries the new number to confirm."""
    new_prefix = OLD_MOBILE_PREFIXES.get(national[:3])
    if len(national) != 10 or new_prefix is None:
        return None
    converted = new_prefix + national[3:]
    problem = Problem("id.phone.old_format", {"suggestion": f"0{converted}"})
    return Parsed(value=None, error=problem, suggestion=f"+84{converted}")


def _foreign(digits: str) -> Parsed[str]:
    try:
        number = phonenumbers.parse(f"+{digits}", None)
    except phonenumbers.NumberParseException:
        return bad("id.phone.invalid")
    return bad("id.phone.foreign" if phonenumbers.is_valid_number(number) else "id.phone.invalid")


@lru_cache(maxsize=4096)
def _mobile_block(prefix: str) -> bool:
    """Whether 9-digit numbers starting with these 4 digits are valid mobiles (asked once)."""
    return _full_check(prefix + "00000").ok and _full_check(prefix + "99999").ok


def _vietnamese(national: str) -> Parsed[str]:
    # Vietnamese mobile numbering is decided by the first digits of a 9-digit national number;
    # asking phonenumbers once per 4-digit block keeps large imports fast.
    if len(national) == 9 and national[0] in "35789" and _mobile_block(national[:4]):
        return good(f"+84{national}")
    return _full_check(national)


def _full_check(national: str) -> Parsed[str]:
    try:
        number = phonenumbers.parse(f"+84{national}", None)
    except phonenumbers.NumberParseException:
        return bad("id.phone.invalid")
    if not phonenumbers.is_valid_number(number):
        return bad("id.phone.invalid")
    mobile = (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )
    if phonenumbers.number_type(number) not in mobile:
        return bad("id.phone.not_mobile")
    return good(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


def parse_phone(raw: str) -> Parsed[str]:
    """A Vietnamese mobile number in E.164 ('+84912345678'); old 11-digit numbers are refused."""
    if not raw.strip():
        return bad("id.phone.empty")
    parts = _phone_digits(raw)
    if parts is None:
        return bad("id.phone.invalid")
    international, digits = parts
    national = _national(international, digits)
    if national is None:
        return _foreign(digits)
    return _old_format(national) or _vietnamese(national)


# --- accounts, names, dates -------------------------------------------------------------------
def parse_account_number(raw: str) -> Parsed[str]:
    """A bank or wallet account number: 6-19 digits once spaces, dots and dashes are removed."""
    digits = _id_digits(raw)
    if not (6 <= len(digits) <= 19) or not _is_digits(digits):
        return bad("id.account.invalid")
    return good(digits)


def holder_name_key(name: str) -> str:
    """The name as banks compare it: 'Nguyễn Văn Đức' -> 'NGUYEN VAN DUC'."""
    return _SPACES.sub(" ", strip_diacritics(name)).strip().upper()


_DAY_FIRST = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})", re.ASCII)
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})", re.ASCII)


def _date_parts(text: str) -> tuple[int, int, int] | None:
    """(year, month, day) from dd/mm/yyyy (also '-' or '.') or yyyy-mm-dd."""
    if match := _DAY_FIRST.fullmatch(text):
        day, month, year = match.groups()
        return int(year), int(month), int(day)
    if match := _ISO.fullmatch(text):
        year, month, day = match.groups()
        return int(year), int(month), int(day)
    return None


# How people write a date in a message: "ngày 16 tháng 6 năm 1937", "16 thang 6, 1937",
# "3 June 1930", "June 3, 1930".
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
            ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
            ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}  # fmt: skip
_WORDS_IN_DATES = re.compile(r"\b(?:ngay|sinh|thang|nam|th)\b|[,/.\-]", re.ASCII)
_WORDS_IN_YEAR = re.compile(r"\b(?:sinh|nam|born|in|year|the)\b|[,.:]", re.ASCII)
_WRITTEN = re.compile(r"(\d{1,2}) (\d{1,2}) (\d{4})", re.ASCII)
_MONTH_NAMED = re.compile(r"(?:(\d{1,2}) ([a-z]+)|([a-z]+) (\d{1,2})) (\d{4})", re.ASCII)


def parse_written_date(raw: str) -> Parsed[date]:
    """A date as a person writes it in a message: the forms of `parse_date`, and also in
    words, 'ngày 16 tháng 6 năm 1937', '16 thang 6 1937', '3 June 1930', 'June 3, 1930'."""
    parsed = parse_date(raw)
    if parsed.value is not None:
        return parsed
    words = " ".join(_WORDS_IN_DATES.sub(" ", fold(unicodedata.normalize("NFKC", raw))).split())
    if match := _WRITTEN.fullmatch(words):
        day, month, year = (int(part) for part in match.groups())
    elif (match := _MONTH_NAMED.fullmatch(words)) and (match[2] or match[3]) in _MONTHS:
        day = int(match[1] or match[4])
        month, year = _MONTHS[match[2] or match[3]], int(match[5])
    else:
        return parsed
    try:
        return good(date(year, month, day))
    except ValueError:
        return parsed


def parse_birth_year(raw: str) -> int | None:
    """A birth year alone, as written by someone whose papers give no day or month:
    '1937', 'năm 1937', 'sinh năm 1937', 'born in 1937'. None when the text says more."""
    words = _WORDS_IN_YEAR.sub(" ", fold(unicodedata.normalize("NFKC", raw))).split()
    if len(words) == 1 and len(words[0]) == 4 and words[0].isdigit():
        return int(words[0])
    return None


def parse_date(raw: str) -> Parsed[date]:
    """A calendar date written dd/mm/yyyy, d/m/yyyy, dd-mm-yyyy, dd.mm.yyyy or yyyy-mm-dd."""
    parts = _date_parts(_SPACES.sub("", unicodedata.normalize("NFKC", raw)))
    if parts is None:
        return bad("id.date.invalid")
    try:
        return good(date(*parts))
    except ValueError:
        return bad("id.date.invalid")
