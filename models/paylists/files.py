"""The payer's file: every line with the full ID and account numbers (the only place they show).

The file carries empty result columns: the payer fills them in and sends the same file back.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.paylists.tables import PaymentLine, PaymentList
from models.people.tables import Beneficiary, Person
from models.places.tables import Area
from models.protection import DataProtector
from models.sheets import FORMATS, ExportFile, write_table

COLUMNS = (
    "line_id",
    "period",
    "commune_code",
    "commune",
    "registry_code",
    "full_name",
    "cccd",
    "category",
    "amount",
    "method",
    "bank_code",
    "account_number",
    "holder_name",
    "change",
    "result",
    "reason",
    "paid_on",
)


async def _rows(session: AsyncSession, payment_list: PaymentList) -> list[Row[*tuple[Any, ...]]]:
    query = (
        select(
            PaymentLine,
            Person.full_name,
            Person.cccd_enc,
            Beneficiary.registry_code,
            Area.code,
            Area.name,
        )
        .join(Person, Person.id == PaymentLine.person_id)
        .join(Beneficiary, Beneficiary.id == PaymentLine.beneficiary_id)
        .join(PaymentList, PaymentList.id == PaymentLine.list_id)
        .join(Area, Area.id == PaymentList.commune_id)
        .where(PaymentLine.list_id == payment_list.id)
        .order_by(PaymentLine.id)
    )
    return list((await session.execute(query)).all())


def _cells(row: Row[*tuple[Any, ...]], period: str, protector: DataProtector) -> list[Any]:
    line: PaymentLine = row[0]
    return [
        line.id,
        period,
        row.code,
        row.name,
        row.registry_code,
        row.full_name,
        protector.decrypt(row.cccd_enc) if row.cccd_enc else "",
        line.category,
        line.amount,
        line.method,
        line.provider_code,
        protector.decrypt(line.account_enc) if line.account_enc else "",
        line.holder_name,
        line.change,
        "" if line.result == "pending" else line.result,
        line.failure_reason,
        line.paid_on.isoformat() if line.paid_on else "",
    ]


async def payer_file(
    session: AsyncSession, *, payment_list: PaymentList, protector: DataProtector, fmt: str
) -> ExportFile:
    """The list as the payer's CSV or XLSX file, decrypted."""
    rows = await _rows(session, payment_list)
    commune = rows[0].code if rows else str(payment_list.commune_id)

    def cells() -> Iterator[list[Any]]:
        for row in rows:
            yield _cells(row, payment_list.period, protector)

    content = write_table(fmt, COLUMNS, cells(), title=f"{payment_list.period} {commune}")
    name = f"payment-list-{payment_list.period}-{commune}.{fmt}"
    return ExportFile(content, name, FORMATS[fmt], len(rows))
