"""Citizen IDs, old CMNDs, phones, banks, accounts, holder names and dates."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.people.identifiers import (
    CCCD_PROVINCE_CODES,
    Problem,
    all_banks,
    find_bank,
    holder_name_key,
    parse_account_number,
    parse_birth_year,
    parse_cccd,
    parse_cmnd,
    parse_date,
    parse_phone,
    parse_written_date,
)

TODAY = date(2026, 3, 1)
PROVINCES = sorted(CCCD_PROVINCE_CODES)


def cccd(prefix: str, marker: int, yy: int, tail: str = "012345") -> str:
    return f"{prefix}{marker}{yy:02d}{tail}"


# --- CCCD ---------------------------------------------------------------------------------
def test_the_63_province_codes() -> None:
    assert len(CCCD_PROVINCE_CODES) == 63
    assert {"001", "020", "079", "096"} <= CCCD_PROVINCE_CODES
    assert not {"003", "005", "097", "000"} & CCCD_PROVINCE_CODES


@pytest.mark.parametrize("prefix", PROVINCES)
def test_every_province_prefix_is_accepted(prefix: str) -> None:
    parsed = parse_cccd(cccd(prefix, 1, 45), today=TODAY)
    assert parsed.ok
    assert parsed.value is not None
    assert parsed.value.province_code == prefix
    assert (parsed.value.gender, parsed.value.birth_year) == ("female", 1945)


@pytest.mark.parametrize(
    ("marker", "yy", "gender", "year"),
    [
        (0, 0, "male", 1900),
        (1, 0, "female", 1900),
        (0, 41, "male", 1941),
        (1, 99, "female", 1999),
        (2, 0, "male", 2000),
        (3, 15, "female", 2015),
        (2, 26, "male", 2026),
        (3, 26, "female", 2026),
    ],
)
def test_century_and_gender_digit(marker: int, yy: int, gender: str, year: int) -> None:
    parsed = parse_cccd(cccd("020", marker, yy), today=TODAY)
    assert parsed.value is not None
    assert (parsed.value.gender, parsed.value.birth_year) == (gender, year)
    assert parsed.value.number == cccd("020", marker, yy)
    assert parsed.warnings == ()


@given(
    prefix=st.sampled_from(PROVINCES),
    marker=st.integers(0, 3),
    yy=st.integers(0, 99),
    tail=st.from_regex(r"[0-9]{6}", fullmatch=True),
)
def test_any_card_with_a_past_birth_year_is_read(
    prefix: str, marker: int, yy: int, tail: str
) -> None:
    year = 1900 + 100 * (marker // 2) + yy
    parsed = parse_cccd(cccd(prefix, marker, yy, tail), today=TODAY)
    if year > TODAY.year:
        assert parsed.error == Problem("id.cccd.birth_year_future", {})
    else:
        assert parsed.value is not None
        assert parsed.value.birth_year == year
        assert parsed.value.gender == ("female" if marker % 2 else "male")


def test_later_centuries_follow_the_same_pattern() -> None:
    for marker, gender in ((4, "male"), (5, "female")):
        parsed = parse_cccd(cccd("001", marker, 3), today=date(2103, 6, 1))
        assert parsed.value is not None
        assert (parsed.value.birth_year, parsed.value.gender) == (2103, gender)
    parsed = parse_cccd(cccd("001", 6, 0), today=date(2200, 1, 1))
    assert parsed.value is not None
    assert parsed.value.birth_year == 2200


@pytest.mark.parametrize("marker", [4, 5, 6, 7, 8, 9])
def test_impossible_century_digit(marker: int) -> None:
    assert parse_cccd(cccd("020", marker, 10), today=TODAY).error == Problem("id.cccd.century", {})


@pytest.mark.parametrize(("marker", "yy"), [(2, 27), (3, 99), (2, 50)])
def test_birth_year_in_the_future(marker: int, yy: int) -> None:
    parsed = parse_cccd(cccd("020", marker, yy), today=TODAY)
    assert parsed.error == Problem("id.cccd.birth_year_future", {})
    assert not parsed.ok


@pytest.mark.parametrize(
    "raw", ["020 190 012 345", "020.190.012.345", " 020190012345 ", "020-190-012-345"]
)
def test_separators_are_removed(raw: str) -> None:
    parsed = parse_cccd(raw, today=TODAY)
    assert parsed.value is not None
    assert parsed.value.number == "020190012345"


def test_full_width_digits_are_read() -> None:
    parsed = parse_cccd("０２０１９００１２３４５", today=TODAY)
    assert parsed.value is not None
    assert parsed.value.number == "020190012345"


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("", Problem("id.cccd.empty", {})),
        ("   ", Problem("id.cccd.empty", {})),
        ("02019001234a", Problem("id.cccd.not_digits", {})),
        ("CCCD 020190012345", Problem("id.cccd.not_digits", {})),
        ("02019001234", Problem("id.cccd.length", {"got": "11"})),
        ("0201900123456", Problem("id.cccd.length", {"got": "13"})),
        ("1234", Problem("id.cccd.length", {"got": "4"})),
        ("123456789", Problem("id.cccd.cmnd_given", {})),
        ("123 456 789", Problem("id.cccd.cmnd_given", {})),
        ("003190012345", Problem("id.cccd.province", {"prefix": "003"})),
        ("000190012345", Problem("id.cccd.province", {"prefix": "000"})),
        ("097190012345", Problem("id.cccd.province", {"prefix": "097"})),
        ("200190012345", Problem("id.cccd.province", {"prefix": "200"})),
    ],
)
def test_invalid_cards(raw: str, problem: Problem) -> None:
    parsed = parse_cccd(raw, today=TODAY)
    assert parsed.error == problem
    assert parsed.value is None
    assert not parsed.ok


def test_birth_date_and_gender_that_agree_give_no_warning() -> None:
    parsed = parse_cccd("020041001234", birth_date=date(1941, 3, 12), gender="Nam", today=TODAY)
    assert parsed.ok
    assert parsed.warnings == ()


@pytest.mark.parametrize(
    ("kwargs", "keys"),
    [
        ({"birth_date": date(1942, 3, 12)}, ["id.cccd.birth_year_mismatch"]),
        ({"birth_year": 1940}, ["id.cccd.birth_year_mismatch"]),
        ({"gender": "Nữ"}, ["id.cccd.gender_mismatch"]),
        ({"gender": "female"}, ["id.cccd.gender_mismatch"]),
        ({"gender": "F"}, ["id.cccd.gender_mismatch"]),
        (
            {"birth_year": 1914, "gender": "nu"},
            ["id.cccd.birth_year_mismatch", "id.cccd.gender_mismatch"],
        ),
        ({"gender": "unknown"}, []),
    ],
)
def test_mismatches_warn_but_do_not_reject(kwargs: dict[str, object], keys: list[str]) -> None:
    parsed = parse_cccd("020041001234", today=TODAY, **kwargs)  # type: ignore[arg-type]
    assert parsed.ok
    assert parsed.value is not None
    assert parsed.value.birth_year == 1941
    assert [w.key for w in parsed.warnings] == keys
    if "id.cccd.birth_year_mismatch" in keys:
        assert parsed.warnings[0].params == {"card_year": "1941"}


def test_female_card_with_male_record_warns() -> None:
    parsed = parse_cccd("020150004567", gender="male", birth_year=1950, today=TODAY)
    assert [w.key for w in parsed.warnings] == ["id.cccd.gender_mismatch"]


def test_default_today_accepts_an_old_card() -> None:
    assert parse_cccd("020041001234").ok


# --- CMND ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("raw", "expected"),
    [("080123456", "080123456"), ("080 123 456", "080123456"), ("080.123.456", "080123456")],
)
def test_cmnd_valid(raw: str, expected: str) -> None:
    assert parse_cmnd(raw).value == expected


@pytest.mark.parametrize("raw", ["", "08012345", "0801234567", "020190012345", "08012345x"])
def test_cmnd_invalid(raw: str) -> None:
    assert parse_cmnd(raw).error == Problem("id.cmnd.invalid", {})


# --- phones -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "raw",
    [
        "0912345678",
        "0912 345 678",
        "0912.345.678",
        "0912-345-678",
        "84912345678",
        "+84912345678",
        "+84 912 345 678",
        "+84 (0) 912 345 678",
        "+84 0912 345 678",
        "0084 912 345 678",
        "912345678",
        " 0912 345 678 ",
    ],
)
def test_phone_written_forms(raw: str) -> None:
    parsed = parse_phone(raw)
    assert parsed.ok
    assert parsed.value == "+84912345678"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0321234567", "+84321234567"),
        ("0701234567", "+84701234567"),
        ("0861234567", "+84861234567"),
        ("0886 123 456", "+84886123456"),
        ("0561234567", "+84561234567"),
        ("0591234567", "+84591234567"),
        ("0981234567", "+84981234567"),
    ],
)
def test_mobile_prefixes(raw: str, expected: str) -> None:
    assert parse_phone(raw).value == expected


# The 2018 conversion table, written out independently of the code.
OLD_TO_NEW = {
    "0162": "032",
    "0163": "033",
    "0164": "034",
    "0165": "035",
    "0166": "036",
    "0167": "037",
    "0168": "038",
    "0169": "039",
    "0120": "070",
    "0121": "079",
    "0122": "077",
    "0126": "076",
    "0128": "078",
    "0123": "083",
    "0124": "084",
    "0125": "085",
    "0127": "081",
    "0129": "082",
    "0186": "056",
    "0188": "058",
    "0199": "059",
}


@pytest.mark.parametrize(("old", "new"), sorted(OLD_TO_NEW.items()))
def test_every_old_eleven_digit_prefix_is_refused_with_its_conversion(old: str, new: str) -> None:
    expected = f"{new}1234567"
    for raw in (
        f"{old}1234567",
        f"{old} 123 4567",
        f"{old}.123.4567",
        f"+84 {old[1:]} 123 4567",
        f"84{old[1:]}1234567",
    ):
        parsed = parse_phone(raw)
        assert parsed.value is None, raw
        assert parsed.error == Problem("id.phone.old_format", {"suggestion": expected}), raw
        assert parsed.suggestion == "+84" + expected[1:]
    assert parse_phone(expected).value == "+84" + expected[1:]


@pytest.mark.parametrize(
    "raw", ["0205 3812 345", "024 3123 4567", "+84 28 3823 4567", "1900 1234", "1800 1234"]
)
def test_landlines_and_service_numbers_are_not_mobile(raw: str) -> None:
    assert parse_phone(raw).error == Problem("id.phone.not_mobile", {})


@pytest.mark.parametrize(
    "raw", ["+44 7911 123456", "+86 138 0013 8000", "+1 650 253 0000", "0044 7911 123456"]
)
def test_foreign_numbers(raw: str) -> None:
    assert parse_phone(raw).error == Problem("id.phone.foreign", {})


@pytest.mark.parametrize(
    "raw",
    [
        "abc",
        "0912 345",
        "0912345678x",
        "09123456789",
        "+84 52 123 4567",
        "+999 123",
        "++84912345678",
    ],
)
def test_invalid_phones(raw: str) -> None:
    assert parse_phone(raw).error == Problem("id.phone.invalid", {})


@pytest.mark.parametrize("raw", ["", "   "])
def test_empty_phone(raw: str) -> None:
    assert parse_phone(raw).error == Problem("id.phone.empty", {})


@given(
    st.sampled_from(["090", "091", "094", "096", "097", "098", "032", "070", "083", "056"]),
    st.from_regex(r"[0-9]{7}", fullmatch=True),
)
def test_mobile_round_trip(prefix: str, rest: str) -> None:
    e164 = parse_phone(f"{prefix} {rest[:3]} {rest[3:]}").value
    assert e164 == f"+84{prefix[1:]}{rest}"
    assert parse_phone(e164).value == e164


# --- banks --------------------------------------------------------------------------------
def test_bank_list_is_loaded_once() -> None:
    banks = all_banks()
    assert banks is all_banks()
    assert len(banks) > 50
    assert len({b.code for b in banks}) == len(banks)
    bidc = next(b for b in banks if b.code == "BIDC")
    assert bidc.bin is None


@pytest.mark.parametrize(
    ("query", "short_name"),
    [
        ("970405", "Agribank"),
        ("970436", "Vietcombank"),
        (" 970 418 ", "BIDV"),
        ("AGRIBANK", "Agribank"),
        ("vcb", "Vietcombank"),
        ("CTG", "VietinBank"),
        ("agribank", "Agribank"),
        ("Agri Bank", "Agribank"),
        ("MB Bank", "MB Bank"),
        ("mbbank", "MB Bank"),
        ("vp bank", "VPBank"),
        ("BIDV", "BIDV"),
        ("nong nghiep", "Agribank"),
        ("Ngân hàng Nông nghiệp", "Agribank"),
        ("nông nghiệp và phát triển nông thôn", "Agribank"),
        ("vietcom", "Vietcombank"),
        ("ngoại thương", "Vietcombank"),
        ("quan doi", "MB Bank"),
        ("tien phong", "TPBank"),
        ("techcom", "Techcombank"),
        ("sacom", "Sacombank"),
        ("Đầu tư và Phát triển Việt Nam", "BIDV"),
        ("agribak", "Agribank"),
        ("agrbank", "Agribank"),
        ("vietcombak", "Vietcombank"),
        ("vietinbak", "VietinBank"),
        ("techcombnk", "Techcombank"),
        ("nong ngiep", "Agribank"),
        ("Agribank Lạng Sơn", "Agribank"),  # a place or a branch after the name
        ("Vietcombank chi nhánh Lộc Bình", "Vietcombank"),
        ("BIDV CN Lang Son", "BIDV"),
        ("Nam A Bank Lạng Sơn", "Nam A Bank"),
        ("LienVietPostBank", "LPBank"),  # a former name
        ("Bưu điện Liên Việt", "LPBank"),
    ],
)
def test_find_bank(query: str, short_name: str) -> None:
    parsed = find_bank(query)
    assert parsed.value is not None, parsed.error
    assert parsed.value.short_name == short_name


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("sai gon", {"Sacombank", "SaigonBank", "SCB", "SHB"}),
        ("cong thuong", {"SaigonBank", "VietinBank"}),
        ("dau tu", {"BIDV", "BIDC"}),
    ],
)
def test_ambiguous_bank(query: str, expected: set[str]) -> None:
    parsed = find_bank(query)
    assert parsed.error is not None
    assert parsed.error.key == "id.bank.ambiguous"
    assert set(parsed.error.params["options"].split(", ")) == expected


def test_ambiguous_bank_offers_at_most_five() -> None:
    parsed = find_bank("ngân hàng")
    assert parsed.error is not None
    assert parsed.error.key == "id.bank.ambiguous"
    assert len(parsed.error.params["options"].split(", ")) == 5


@pytest.mark.parametrize(
    "query",
    [
        "",
        "   ",
        "xyz",
        "970499",
        "ngân hàng chính sách xã hội",
        "Ngân hàng Lạng Sơn",  # a place and no bank
        "bank Đồng Đăng",
    ],
)
def test_unknown_bank(query: str) -> None:
    assert find_bank(query).error == Problem("id.bank.unknown", {})


# --- accounts, names, dates ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("123456", "123456"),
        ("0123456789", "0123456789"),
        ("8888 1234 5678", "888812345678"),
        ("1903.1234.5678-90", "19031234567890"),
        ("1" * 19, "1" * 19),
    ],
)
def test_account_numbers(raw: str, expected: str) -> None:
    assert parse_account_number(raw).value == expected


@pytest.mark.parametrize("raw", ["", "12345", "1" * 20, "12345a789", "VN123456789"])
def test_invalid_account_numbers(raw: str) -> None:
    assert parse_account_number(raw).error == Problem("id.account.invalid", {})


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Nguyễn Văn Đức", "NGUYEN VAN DUC"),
        ("  nông   thị  MAI ", "NONG THI MAI"),
        ("Hoàng Văn Sáng", "HOANG VAN SANG"),
        ("NGUYEN VAN DUC", "NGUYEN VAN DUC"),
        ("Lương\tThị Ánh", "LUONG THI ANH"),
    ],
)
def test_holder_name_key(name: str, key: str) -> None:
    assert holder_name_key(name) == key


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12/03/1941", date(1941, 3, 12)),
        ("2/3/1941", date(1941, 3, 2)),
        ("12-03-1941", date(1941, 3, 12)),
        ("12.03.1941", date(1941, 3, 12)),
        ("1941-03-12", date(1941, 3, 12)),
        (" 29/02/2024 ", date(2024, 2, 29)),
    ],
)
def test_dates(raw: str, expected: date) -> None:
    assert parse_date(raw).value == expected


@pytest.mark.parametrize(
    "raw", ["", "1941", "31/02/1950", "29/02/2023", "12/13/1950", "1941/03/12", "12/03/41", "abc"]
)
def test_invalid_dates(raw: str) -> None:
    assert parse_date(raw).error == Problem("id.date.invalid", {})


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("16 tháng 6 năm 1937", date(1937, 6, 16)),
        ("ngày 16/6/1937", date(1937, 6, 16)),
        ("Ngày 16 tháng 06, 1937", date(1937, 6, 16)),
        ("sinh ngay 5-3-1950", date(1950, 3, 5)),
        ("16 6 1937", date(1937, 6, 16)),
        ("3 June 1930", date(1930, 6, 3)),
        ("June 3, 1930", date(1930, 6, 3)),
        ("12/03/1941", date(1941, 3, 12)),
    ],
)
def test_dates_written_in_words(raw: str, expected: date) -> None:
    assert parse_written_date(raw).value == expected


@pytest.mark.parametrize(
    "raw", ["1937", "31 tháng 2 năm 1950", "16 Smarch 1937", "tháng 6 năm 1937", "abc", ""]
)
def test_dates_in_words_that_are_no_dates(raw: str) -> None:
    assert parse_written_date(raw).error == Problem("id.date.invalid", {})


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1937", 1937),
        ("năm 1937", 1937),
        ("Sinh năm 1937.", 1937),
        ("sinh nam 1937", 1937),
        ("born in 1937", 1937),
        ("１９３７", 1937),
        ("5/3/1950", None),
        ("tháng 6 năm 1937", None),
        ("37", None),
        ("19370", None),
        ("1937 1938", None),
        ("", None),
    ],
)
def test_a_birth_year_alone(raw: str, expected: int | None) -> None:
    assert parse_birth_year(raw) == expected


@settings(max_examples=500)
@given(st.sampled_from("35789"), st.integers(min_value=0, max_value=10**8 - 1))
def test_fast_mobile_check_agrees_with_phonenumbers(first: str, rest: int) -> None:
    from models.people.identifiers import _full_check, _vietnamese

    national = f"{first}{rest:08d}"
    assert _vietnamese(national) == _full_check(national)
