"""Beneficiary rows as spreadsheet lines, headed in the import's own column names."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from api.spreadsheets import Cell
from messages.render import render_text
from models.officers.areas import areas_by_id
from models.payments.tables import PaymentMethodChoice
from models.people.search import first_phones
from models.people.tables import Beneficiary, Person
from models.protection import DataProtector, mask_phone

Row = tuple[Beneficiary, Person, PaymentMethodChoice | None]

# admin.column.<name> holds each header; the Vietnamese and English words are spellings the
# importer recognises, so an exported list can be corrected and uploaded again.
COLUMNS = (
    "registry_code",
    "full_name",
    "birth_date",
    "gender",
    "cccd",
    "phone",
    "category",
    "commune",
    "village",
    "monthly_amount",
    "method",
    "bank",
    "account",
    "holder_name",
    "cash_reason",
    "status",
)


def headers(locale: str, extra: Sequence[str] = ()) -> list[str]:
    """The header row in `locale`."""
    return [render_text(f"admin.column.{name}", {}, locale=locale) for name in (*COLUMNS, *extra)]


def _label(key: str | None, locale: str) -> str | None:
    return render_text(key, {}, locale=locale) if key else None


def _birth(person: Person) -> str | None:
    if person.birth_date:
        return date.strftime(person.birth_date, "%d/%m/%Y")
    return str(person.birth_year) if person.birth_year else None


def _phone(address: str | None, full: bool) -> str | None:
    if address is None:
        return None
    number = address.removeprefix("tel:")
    return "0" + number[3:] if full and number.startswith("+84") else mask_phone(number)


def line(
    row: Row,
    *,
    phone: str | None,
    commune: str | None,
    protector: DataProtector | None,
    locale: str,
) -> list[Cell]:
    """One beneficiary as a line; numbers in full only when a protector is given."""
    b, p, c = row
    cccd = protector.decrypt(p.cccd_enc) if protector and p.cccd_enc else p.cccd_masked
    account = c.account_masked if c else None
    if protector and c and c.account_enc:
        account = protector.decrypt(c.account_enc)
    return [
        b.registry_code,
        p.full_name,
        _birth(p),
        _label(f"admin.gender.{p.gender}" if p.gender else None, locale),
        cccd,
        _phone(phone, protector is not None),
        b.category,
        commune,
        b.village,
        b.monthly_amount,
        _label(f"method.{c.method}" if c else None, locale),
        c.provider_code if c else None,
        account,
        c.holder_name if c else None,
        c.cash_reason if c else None,
        _label(f"admin.status.{b.status}", locale),
    ]


async def beneficiary_sheet(
    session: AsyncSession,
    *,
    rows: Sequence[Row],
    protector: DataProtector | None,
    locale: str,
) -> tuple[list[str], list[list[Cell]]]:
    """Header and lines for `rows`; masked unless a protector is given."""
    phones = await first_phones(session, [p.id for _, p, _ in rows])
    communes = await areas_by_id(session, [b.commune_id for b, _, _ in rows if b.commune_id])
    lines = [
        line(
            row,
            phone=phones.get(row[1].id),
            commune=communes[row[0].commune_id].name if row[0].commune_id in communes else None,
            protector=protector,
            locale=locale,
        )
        for row in rows
    ]
    return headers(locale), lines
