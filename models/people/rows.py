"""Validating one spreadsheet row into a registry candidate, with problems per field."""

from __future__ import annotations

import re
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import date
from functools import lru_cache

from messages.text import fold
from models.people.identifiers import (
    Problem,
    find_bank,
    parse_account_number,
    parse_cccd,
    parse_cmnd,
    parse_date,
    parse_phone,
)
from models.vocab import WALLETS, Category, PaymentMethod


@dataclass(frozen=True)
class RowProblem:
    """One problem on one line of an import: which field and what is wrong (a message key)."""

    line: int
    field: str
    key: str
    params: dict[str, str] = dataclass_field(default_factory=dict)


@dataclass(slots=True)
class Candidate:
    """A valid row, normalized, ready to be written."""

    line: int
    full_name: str
    category: str
    commune: str
    district: str | None = None
    cccd: str | None = None
    cmnd: str | None = None
    birth_date: date | None = None
    birth_year: int | None = None
    gender: str | None = None
    phone: str | None = None
    sub_category: str | None = None
    village: str | None = None
    monthly_amount: int | None = None
    registry_code: str | None = None
    method: str | None = None
    provider_code: str | None = None
    account: str | None = None
    holder_name: str | None = None
    cash_reason: str | None = None


_CATEGORIES = {
    "btxh": Category.BTXH,
    "bao tro xa hoi": Category.BTXH,
    "doi tuong bao tro xa hoi": Category.BTXH,
    "ncc": Category.NCC,
    "nguoi co cong": Category.NCC,
    "nguoi co cong voi cach mang": Category.NCC,
}
_GENDERS = {
    "nam": "male",
    "male": "male",
    "m": "male",
    "nu": "female",
    "female": "female",
    "f": "female",
}
_METHODS = {
    "tai khoan ngan hang": PaymentMethod.BANK_ACCOUNT,
    "ngan hang": PaymentMethod.BANK_ACCOUNT,
    "tai khoan": PaymentMethod.BANK_ACCOUNT,
    "chuyen khoan": PaymentMethod.BANK_ACCOUNT,
    "atm": PaymentMethod.BANK_ACCOUNT,
    "bank account": PaymentMethod.BANK_ACCOUNT,
    "vi dien tu": PaymentMethod.MOBILE_MONEY,
    "mobile money": PaymentMethod.MOBILE_MONEY,
    "viettel money": PaymentMethod.MOBILE_MONEY,
    "vnpt money": PaymentMethod.MOBILE_MONEY,
    "mobifone money": PaymentMethod.MOBILE_MONEY,
    "tai khoan an sinh": PaymentMethod.SOCIAL_SECURITY_ACCOUNT,
    "tai khoan an sinh xa hoi": PaymentMethod.SOCIAL_SECURITY_ACCOUNT,
    "tien mat": PaymentMethod.CASH_POINT,
    "tien mat tai diem chi tra": PaymentMethod.CASH_POINT,
    "cash": PaymentMethod.CASH_POINT,
    "tien mat tai nha": PaymentMethod.CASH_HOME,
    "chi tai nha": PaymentMethod.CASH_HOME,
}
_WALLET_KEYS = {fold(name): code for code, name in WALLETS.items()}
# Looked up once per row: the plain values, so no enum attribute is read per row.
_CATEGORY_VALUES = {key: category.value for key, category in _CATEGORIES.items()}
_METHOD_INFO = {key: (method, method.value, method.is_cash) for key, method in _METHODS.items()}
_AMOUNT = re.compile(r"^\d{1,3}([.,\s]\d{3})*$|^\d+$")
_AMOUNT_SEPARATORS = re.compile(r"[.,\s]")

# Lists repeat the same cell texts (birth dates, amounts) thousands of times: each distinct text
# is read once per process. Both parsers are pure and return immutable results.
_date = lru_cache(maxsize=65536)(parse_date)


@lru_cache(maxsize=4096)
def _amount_value(text: str) -> tuple[bool, int | None]:
    """(valid, amount in VND) of an amount cell; an empty amount is valid and None."""
    value = text.replace(" ", "").removesuffix("đ").removesuffix("d")
    if not value:
        return True, None
    if not _AMOUNT.match(value):
        return False, None
    return True, int(_AMOUNT_SEPARATORS.sub("", value))


class RowChecker:
    """Turns raw rows into candidates or problems, one row at a time (no state across rows)."""

    def __init__(self, today: date) -> None:
        self.today = today
        self._steps = (  # bound once: a list has hundreds of thousands of rows
            self._name,
            self._category,
            self._place,
            self._birth,
            self._ids,
            self._phone,
            self._amount,
            self._method,
            self._others,
        )

    def check(self, line: int, raw: dict[str, str]) -> tuple[Candidate | None, list[RowProblem]]:
        """Validate one row; a row with any error yields no candidate."""
        errors: list[RowProblem] = []
        warnings: list[RowProblem] = []
        candidate = Candidate(line=line, full_name="", category="", commune="")
        for step in self._steps:
            step(line, raw, candidate, errors, warnings)
        return (None if errors else candidate), (errors + warnings if warnings else errors)

    def _problem(self, out: list[RowProblem], line: int, name: str, problem: Problem) -> None:
        out.append(RowProblem(line, name, problem.key, dict(problem.params)))

    def _name(
        self,
        line: int,
        raw: dict[str, str],
        c: Candidate,
        errors: list[RowProblem],
        _w: list[RowProblem],
    ) -> None:
        c.full_name = " ".join(raw.get("full_name", "").split())
        if not c.full_name:
            errors.append(RowProblem(line, "full_name", "import.required"))

    def _category(
        self,
        line: int,
        raw: dict[str, str],
        c: Candidate,
        errors: list[RowProblem],
        _w: list[RowProblem],
    ) -> None:
        found = _CATEGORY_VALUES.get(fold(raw.get("category", "")))
        if found is None:
            errors.append(RowProblem(line, "category", "import.category_unknown"))
        else:
            c.category = found
        c.sub_category = raw.get("sub_category")

    def _place(
        self,
        line: int,
        raw: dict[str, str],
        c: Candidate,
        errors: list[RowProblem],
        _w: list[RowProblem],
    ) -> None:
        c.commune = raw.get("commune", "")
        c.district = raw.get("district")
        c.village = raw.get("village")
        if not c.commune:
            errors.append(RowProblem(line, "commune", "import.required"))

    def _birth(
        self,
        line: int,
        raw: dict[str, str],
        c: Candidate,
        errors: list[RowProblem],
        _w: list[RowProblem],
    ) -> None:
        if raw.get("birth_date", "").isdigit() and len(raw["birth_date"]) == 4:
            raw = {**raw, "birth_year": raw["birth_date"], "birth_date": ""}  # year only
        if raw.get("birth_date"):
            parsed = _date(raw["birth_date"])
            if parsed.error:
                self._problem(errors, line, "birth_date", parsed.error)
            c.birth_date = parsed.value
        if raw.get("birth_year") and not c.birth_date:
            year = raw["birth_year"]
            if year.isdigit() and 1900 <= int(year) <= self.today.year:
                c.birth_year = int(year)
            else:
                errors.append(RowProblem(line, "birth_year", "id.date.invalid"))
        gender = raw.get("gender")
        if gender:
            c.gender = _GENDERS.get(fold(gender))
            if c.gender is None:
                errors.append(RowProblem(line, "gender", "import.gender_unknown"))

    def _ids(
        self,
        line: int,
        raw: dict[str, str],
        c: Candidate,
        errors: list[RowProblem],
        warnings: list[RowProblem],
    ) -> None:
        c.registry_code = raw.get("registry_code")
        if raw.get("cccd"):
            parsed = parse_cccd(
                raw["cccd"],
                birth_date=c.birth_date,
                birth_year=c.birth_year,
                gender=c.gender,
                today=self.today,
            )
            if parsed.error or parsed.value is None:
                self._problem(errors, line, "cccd", parsed.error or Problem("id.cccd.empty", {}))
            else:
                c.cccd = parsed.value.number
                for warning in parsed.warnings:
                    self._problem(warnings, line, "cccd", warning)
        elif not c.registry_code:
            errors.append(RowProblem(line, "cccd", "import.required"))
        if raw.get("cmnd"):
            cmnd = parse_cmnd(raw["cmnd"])
            if cmnd.error:
                self._problem(errors, line, "cmnd", cmnd.error)
            c.cmnd = cmnd.value

    def _phone(
        self,
        line: int,
        raw: dict[str, str],
        c: Candidate,
        errors: list[RowProblem],
        _w: list[RowProblem],
    ) -> None:
        if raw.get("phone"):
            parsed = parse_phone(raw["phone"])
            if parsed.error:
                self._problem(errors, line, "phone", parsed.error)
            c.phone = parsed.value

    def _amount(
        self,
        line: int,
        raw: dict[str, str],
        c: Candidate,
        errors: list[RowProblem],
        _w: list[RowProblem],
    ) -> None:
        valid, amount = _amount_value(raw.get("monthly_amount", ""))
        if not valid:
            errors.append(RowProblem(line, "monthly_amount", "import.amount_invalid"))
        c.monthly_amount = amount

    def _method(
        self,
        line: int,
        raw: dict[str, str],
        c: Candidate,
        errors: list[RowProblem],
        _w: list[RowProblem],
    ) -> None:
        text = raw.get("method")
        if not text:
            return
        info = _METHOD_INFO.get(fold(text))
        if info is None:
            errors.append(RowProblem(line, "method", "import.method_unknown"))
            return
        method, c.method, is_cash = info
        if method is PaymentMethod.MOBILE_MONEY:
            c.provider_code = _WALLET_KEYS.get(fold(raw.get("bank") or text))
        elif method is PaymentMethod.BANK_ACCOUNT and raw.get("bank"):
            bank = find_bank(raw["bank"])
            if bank.error or bank.value is None:
                self._problem(errors, line, "bank", bank.error or Problem("id.bank.unknown", {}))
            else:
                c.provider_code = bank.value.code
        elif method is PaymentMethod.BANK_ACCOUNT:
            errors.append(RowProblem(line, "bank", "import.required"))
        if raw.get("account"):
            account = parse_account_number(raw["account"])
            if account.error:
                self._problem(errors, line, "account", account.error)
            c.account = account.value
        if is_cash:
            c.cash_reason = raw.get("cash_reason") or "import"

    def _others(
        self,
        line: int,
        raw: dict[str, str],
        c: Candidate,
        _e: list[RowProblem],
        _w: list[RowProblem],
    ) -> None:
        c.holder_name = raw.get("holder_name")
