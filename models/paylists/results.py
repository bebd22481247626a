"""Importing the payer's results: paid or failed (with why), by line id or CCCD + period.

Importing the same file again changes nothing; a file cut off half-way applies the rows it has
and reports the lines still waiting. Each applied result tells the payee (once per line).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from messages.text import fold
from models.audit.service import record
from models.base import utcnow
from models.messaging.hours import zone
from models.paylists.notices import tell_result
from models.paylists.tables import PaymentLine, PaymentList, PaymentResultImport
from models.people.identifiers import parse_date
from models.people.rows import RowProblem
from models.people.tables import Beneficiary, Person
from models.protection import DataProtector
from models.settings import Settings, get_settings
from models.sheets import read_rows

OPEN_FOR_RESULTS = ("exported", "results_imported")
HEADERS = {
    "line id": "line_id",
    "ma dong": "line_id",
    "id": "line_id",
    "cccd": "cccd",
    "so cccd": "cccd",
    "so dinh danh": "cccd",
    "can cuoc": "cccd",
    "period": "period",
    "ky": "period",
    "ky chi tra": "period",
    "thang": "period",
    "result": "result",
    "ket qua": "result",
    "trang thai": "result",
    "status": "result",
    "reason": "reason",
    "ly do": "reason",
    "ly do that bai": "reason",
    "paid on": "paid_on",
    "ngay chi": "paid_on",
    "ngay chi tra": "paid_on",
    "amount": "amount",
    "so tien": "amount",
}
REQUIRED = ("result", ("line_id", "cccd"))
_PAID = {"paid", "da chi", "da chi tra", "thanh cong", "success", "ok", "da chuyen"}
_FAILED = {"failed", "that bai", "khong thanh cong", "loi", "fail", "error", "tra lai"}
REASONS = ("account_closed", "account_invalid", "name_mismatch", "bank_rejected", "other")
_REASON_WORDS = (
    ("account_closed", ("closed", "dong", "khoa")),
    ("account_invalid", ("invalid", "sai so", "khong ton tai", "not exist", "khong dung")),
    ("name_mismatch", ("name", "ten")),
    ("bank_rejected", ("reject", "rejected", "tu choi")),
)
MISSING_SHOWN = 50


@dataclass
class ListProgress:
    """A list touched by the file: lines still without a result (the first ones by id)."""

    list_id: int
    pending: int
    pending_line_ids: list[int] = field(default_factory=list)


@dataclass
class ResultReport:
    """What a results file did."""

    import_id: int = 0
    rows: int = 0
    applied: int = 0
    unchanged: int = 0
    rejected: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    lists: list[ListProgress] = field(default_factory=list)


@dataclass
class _Row:
    line: int
    result: str
    reason: str | None
    paid_on: date | None
    amount: int | None
    line_id: int | None = None
    cccd: str | None = None
    period: str | None = None


def _outcome(text: str) -> str | None:
    folded = fold(text)
    return "paid" if folded in _PAID else "failed" if folded in _FAILED else None


def reason_code(text: str | None) -> str:
    """A failure reason code from the payer's words ('Tài khoản đã đóng' -> account_closed)."""
    folded = fold(text or "").replace("_", " ")
    if folded.replace(" ", "_") in REASONS:
        return folded.replace(" ", "_")
    for code, words in _REASON_WORDS:
        if any(f" {word} " in f" {folded} " for word in words):  # whole words: "tai khoan"
            return code
    return "other"


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _parse(line: int, raw: dict[str, str], problems: list[RowProblem]) -> _Row | None:
    """One row read, or None with its problem noted."""
    outcome = _outcome(raw.get("result", ""))
    if outcome is None:
        problems.append(RowProblem(line, "result", "admin.pay.result.unknown"))
        return None
    paid_on = parse_date(raw["paid_on"]).value if raw.get("paid_on") else None
    amount = _digits(raw.get("amount", ""))
    row = _Row(line, outcome, None, paid_on, int(amount) if amount else None)
    if outcome == "failed":
        row.reason = reason_code(raw.get("reason"))
    if _digits(raw.get("line_id", "")):
        row.line_id = int(_digits(raw["line_id"]))
    elif raw.get("cccd") and raw.get("period"):
        row.cccd, row.period = _digits(raw["cccd"]).zfill(12), raw["period"].strip()[:7]
    else:
        problems.append(RowProblem(line, "line_id", "admin.pay.result.line_unknown"))
        return None
    return row


async def _by_id(session: AsyncSession, ids: list[int]) -> dict[int, PaymentLine]:
    found: dict[int, PaymentLine] = {}
    for start in range(0, len(ids), 5000):
        query = select(PaymentLine).where(PaymentLine.id.in_(ids[start : start + 5000]))
        found.update({line.id: line for line in (await session.scalars(query)).all()})
    return found


async def _by_cccd(
    session: AsyncSession, protector: DataProtector, rows: list[_Row]
) -> dict[tuple[str, str], PaymentLine]:
    """Lines found by (CCCD, period), through the keyed hash of the CCCD."""
    hashes: dict[str, str] = {
        h: row.cccd for row in rows if row.cccd for h in protector.lookup_hashes(row.cccd)
    }
    found: dict[tuple[str, str], PaymentLine] = {}
    keys, periods = list(hashes), sorted({row.period for row in rows if row.cccd and row.period})
    for start in range(0, len(keys), 2000):
        query = (
            select(PaymentLine, Person.cccd_hash, PaymentList.period)
            .select_from(Person)
            .join(Beneficiary, Beneficiary.person_id == Person.id)
            .join(PaymentLine, PaymentLine.beneficiary_id == Beneficiary.id)
            .join(PaymentList, PaymentList.id == PaymentLine.list_id)
            .where(
                Person.cccd_hash.in_(keys[start : start + 2000]), PaymentList.period.in_(periods)
            )
        )
        for line, cccd_hash, period in (await session.execute(query)).all():
            if cccd_hash is not None:
                found[(hashes[cccd_hash], period)] = line
    return found


async def _lists(session: AsyncSession, lines: list[PaymentLine]) -> dict[int, PaymentList]:
    ids = sorted({line.list_id for line in lines})
    query = select(PaymentList).where(PaymentList.id.in_(ids)).with_for_update()
    return {pl.id: pl for pl in (await session.scalars(query)).all()}


def _check(
    row: _Row,
    line: PaymentLine | None,
    lists: dict[int, PaymentList],
    communes: Collection[int] | None,
) -> str | None:
    """The problem key that keeps a row from applying, if any."""
    owner = lists.get(line.list_id) if line is not None else None
    if line is None or owner is None or (communes is not None and owner.commune_id not in communes):
        return "admin.pay.result.line_unknown"  # out of reach reads the same as unknown
    if owner.status not in OPEN_FOR_RESULTS:
        return "admin.pay.result.not_exported"
    if row.amount is not None and row.amount != line.amount:
        return "admin.pay.result.amount_mismatch"
    if line.result == "paid" and row.result == "failed":
        return "admin.pay.result.already_paid"
    return None


async def import_results(
    session: AsyncSession,
    *,
    protector: DataProtector,
    data: bytes,
    filename: str,
    actor: str,
    communes: Collection[int] | None = None,
    now: datetime | None = None,
    settings: Settings | None = None,
) -> ResultReport:
    """Apply a results file to the lines it names (within `communes` when given)."""
    settings = settings or get_settings()
    now = now or utcnow()
    table = read_rows(data, filename, headers=HEADERS, required=REQUIRED)
    report = ResultReport(rows=len(table.rows))
    rows = [r for n, raw in table.rows if (r := _parse(n, raw, report.problems)) is not None]
    by_id = await _by_id(session, [r.line_id for r in rows if r.line_id is not None])
    by_cccd = await _by_cccd(session, protector, rows)
    lines = {
        r.line: by_id.get(r.line_id) if r.line_id is not None else by_cccd.get(_cccd_key(r))
        for r in rows
    }
    lists = await _lists(session, [line for line in lines.values() if line is not None])
    imported = PaymentResultImport(
        filename=filename[:200], file_sha256=hashlib.sha256(data).hexdigest(), imported_by=actor
    )
    session.add(imported)
    await session.flush()
    today = now.astimezone(zone(settings.timezone)).date()
    touched: set[int] = set()
    for row in rows:
        line = lines[row.line]
        problem = _check(row, line, lists, communes)
        if problem is not None or line is None:
            report.problems.append(RowProblem(row.line, "line_id", problem or ""))
            continue
        if await _apply(session, row, line, imported.id, now, today, settings):
            report.applied += 1
            touched.add(line.list_id)
        else:
            report.unchanged += 1
    report.rejected = len(table.rows) - report.applied - report.unchanged
    await _finish(session, report, imported, lists, touched, now, actor)
    return report


def _cccd_key(row: _Row) -> tuple[str, str]:
    return (row.cccd or "", row.period or "")


async def _apply(
    session: AsyncSession,
    row: _Row,
    line: PaymentLine,
    import_id: int,
    now: datetime,
    today: date,
    settings: Settings,
) -> bool:
    """Record one result; False when the line already says the same."""
    if line.result == row.result:
        # the same result again: its reason or date may complete a row an earlier, cut-off
        # file carried half of; the payee was told once already
        if row.result == "failed":
            line.failure_reason = row.reason
        elif row.paid_on is not None:
            line.paid_on = row.paid_on
        return False
    line.result = row.result
    line.failure_reason = row.reason if row.result == "failed" else None
    line.paid_on = (row.paid_on or today) if row.result == "paid" else None
    line.result_import_id, line.result_at = import_id, now
    period = (await session.get(PaymentList, line.list_id)).period  # type: ignore[union-attr]
    expires = now + timedelta(days=3)  # a payment notice is never sent days late
    await tell_result(session, line=line, period=period, expires_at=expires, settings=settings)
    return True


async def _finish(
    session: AsyncSession,
    report: ResultReport,
    imported: PaymentResultImport,
    lists: dict[int, PaymentList],
    touched: set[int],
    now: datetime,
    actor: str,
) -> None:
    """Move changed lists on, note what is still missing, keep the record and the audit."""
    for payment_list in lists.values():
        if payment_list.id in touched:
            payment_list.status, payment_list.results_at = "results_imported", now
        report.lists.append(await _progress(session, payment_list.id))
    imported.rows, imported.applied = report.rows, report.applied
    imported.unchanged, imported.rejected = report.unchanged, report.rejected
    imported.problems = [vars(p) for p in report.problems[:500]]
    report.import_id = imported.id
    await record(
        session,
        actor=actor,
        action="import",
        entity="payment_results",
        entity_id=imported.id,
        details={"sha256": imported.file_sha256, "rows": report.rows, "applied": report.applied},
    )
    await session.flush()


async def _progress(session: AsyncSession, list_id: int) -> ListProgress:
    waiting = (PaymentLine.list_id == list_id) & (PaymentLine.result == "pending")
    count = int(await session.scalar(select(func.count()).where(waiting)) or 0)
    first = select(PaymentLine.id).where(waiting).order_by(PaymentLine.id).limit(MISSING_SHOWN)
    return ListProgress(list_id, count, list((await session.scalars(first)).all()))
