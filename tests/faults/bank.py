"""A bank's results file for an exported payment list, and what it must leave behind."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.messaging.tables import OutboxMessage
from models.paylists.service import generate_list, lines_query
from models.paylists.tables import PaymentLine
from models.paylists.workflow import approve_list, export_list, submit_list
from models.settings import Settings
from models.vocab import PaymentMethod
from tests.admin_payments.helpers import NOW, PROTECTOR, beneficiary
from tests.conftest import Database

LINES = 40
BANK, CASH = PaymentMethod.BANK_ACCOUNT, PaymentMethod.CASH_POINT
# (result, the bank's reason) by line number modulo 8, and the reason code each must become
OUTCOMES = [("Đã chi", "")] * 5 + [
    ("Thất bại", "Tài khoản đã đóng"),
    ("that bai", "Sai số tài khoản"),
    ("Thất bại", "Ngân hàng từ chối"),
]
CODES = {
    "": None,
    "Tài khoản đã đóng": "account_closed",
    "Sai số tài khoản": "account_invalid",
    "Ngân hàng từ chối": "bank_rejected",
}


@dataclass(frozen=True)
class Intent:
    """What the file says of one line, as the line must end up."""

    result: str
    reason: str | None
    paid_on: date | None


async def exported_lines(
    session: AsyncSession, commune: int, settings: Settings
) -> list[PaymentLine]:
    """The lines of a newly exported list of LINES lines in `commune`, most of them accounts."""
    for number in range(1, LINES + 1):
        method = CASH if number % 5 == 0 else BANK
        await beneficiary(session, commune_id=commune, number=number, method=method)
    made = await generate_list(session, commune_id=commune, period="2026-03", actor="maker")
    await submit_list(session, list_id=made.id, actor="maker", now=NOW)
    await approve_list(session, list_id=made.id, actor="checker", now=NOW, settings=settings)
    await export_list(
        session, list_id=made.id, actor="checker", protector=PROTECTOR, now=NOW, settings=settings
    )
    return list(await session.scalars(lines_query(made.id)))


def results_file(lines: list[PaymentLine]) -> tuple[bytes, dict[int, Intent]]:
    """The bank's CSV (UTF-8, Vietnamese words) and what it means for each line."""
    rows, intents = ["line_id,result,reason,paid_on,amount"], {}  # the headers of our export
    for i, line in enumerate(lines):
        result, reason = OUTCOMES[i % len(OUTCOMES)]
        paid = not reason
        day = date(2026, 3, 5 + i % 4) if paid else None
        written = day.strftime("%d/%m/%Y") if day else ""
        rows.append(f"{line.id},{result},{reason},{written},{line.amount}")
        intents[line.id] = Intent("paid" if paid else "failed", CODES[reason], day)
    return ("\r\n".join(rows) + "\r\n").encode(), intents


async def line_state(db: Database) -> dict[int, Intent]:
    """Every line with a result, as it stands."""
    async with db.sessions() as session:
        lines = (await session.scalars(select(PaymentLine))).all()
    return {
        line.id: Intent(line.result, line.failure_reason, line.paid_on)
        for line in lines
        if line.result != "pending"
    }


async def result_notices(db: Database) -> Counter[tuple[int | None, str]]:
    """Result notices queued, per (person, key)."""
    async with db.sessions() as session:
        rows = (await session.scalars(select(OutboxMessage))).all()
    keys = ("notice.payment_credited", "notice.payment_failed")
    return Counter((row.person_id, row.key) for row in rows if row.key in keys)


def expected_notices(lines: list[PaymentLine], intents: dict[int, Intent]) -> Counter[object]:
    """One notice per bank line: credited when paid, failed otherwise; none for cash."""
    return Counter(
        (line.person_id, f"notice.payment_{'credited' if intents[line.id].paid_on else 'failed'}")
        for line in lines
        if line.method == BANK.value
    )
