"""Importing the payer's results: paid or failed (with why), by line id or CCCD + period.

Importing the same file again changes nothing; a file cut off half-way applies the whole rows
it has, never the row the cut went through, and reports the lines still waiting. Each applied
result tells the payee (once per line). The rows are applied and their notices queued
set-based: one UPDATE (executemany) for the lines, one bulk enqueue for the notices.

A file cut off anywhere never applies the row the cut went through: `cutoff.py` says how
that row is recognised (and when it proves itself whole after all). Every field of a row must
read whole too: a date or an amount that does not parse is a problem of its row, never "no
date" or "no amount".
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import cast

from sqlalchemy import Table, bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from messages.text import fold
from models.audit.service import record
from models.base import utcnow
from models.errors import Invalid
from models.messaging.hours import zone
from models.messaging.service import PersonMessage
from models.paylists.cutoff import last_row, whole_date
from models.paylists.notices import result_notice, tell_results
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
    unterminated: bool = False  # the file's last row, without its line break


@dataclass(slots=True)
class _Line:
    """A payment line as the import reads and changes it (a row, not an ORM object)."""

    id: int
    list_id: int
    person_id: int
    amount: int
    method: str
    account_masked: str | None
    result: str
    failure_reason: str | None
    paid_on: date | None
    result_import_id: int | None
    result_at: datetime | None


_LINE_COLUMNS = tuple(getattr(PaymentLine, name) for name in _Line.__slots__)


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


_CURRENCY = re.compile(r"\s*(vnd|vnđ|đ|d)\.?$", re.IGNORECASE)
_THOUSANDS = re.compile(r"\d{1,3}(?:([.,])\d{3})(?:\1\d{3})*")
_CENTS = re.compile(r"(\d+|\d{1,3}(?:([.,])\d{3})(?:\2\d{3})*)[.,]0{1,2}")


def parse_amount(text: str) -> int | None:
    """A whole number of VND as a bank writes it ('540000', '540.000', '1,500,000 đ',
    '540000.00'); None when it is anything else (cut, a decimal, words)."""
    cleaned = re.sub(r"\s", "", _CURRENCY.sub("", text.strip().replace("\u00a0", " ")))
    if match := _CENTS.fullmatch(cleaned):
        cleaned = match.group(1)
    if (cleaned.isascii() and cleaned.isdigit()) or _THOUSANDS.fullmatch(cleaned):
        return int(_digits(cleaned))
    return None


def _parse(line: int, raw: dict[str, str], problems: list[RowProblem]) -> _Row | None:
    """One row read, or None with its problem noted."""
    outcome = _outcome(raw.get("result", ""))
    if outcome is None:
        problems.append(RowProblem(line, "result", "admin.pay.result.unknown"))
        return None
    paid_on = parse_date(raw["paid_on"]).value if raw.get("paid_on") else None
    if raw.get("paid_on") and paid_on is None:
        problems.append(RowProblem(line, "paid_on", "admin.pay.result.date_invalid"))
        return None
    amount = parse_amount(raw["amount"]) if raw.get("amount") else None
    if raw.get("amount") and amount is None:
        problems.append(RowProblem(line, "amount", "admin.pay.result.amount_invalid"))
        return None
    row = _Row(line, outcome, None, paid_on, amount)
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


def _whole(row: _Row, raw: dict[str, str], proof: str) -> bool:
    """Whether the last column of a row without its line break shows it is whole (the amount
    is checked against the line later)."""
    if proof == "paid_on":
        return row.result == "failed" or whole_date(raw.get("paid_on", ""))
    if proof == "result":
        word = fold(raw.get("result", ""))
        other = _FAILED if row.result == "paid" else _PAID
        return not any(w.startswith(word) for w in other)
    return proof == "amount"


def _cut(line: int) -> RowProblem:
    return RowProblem(line, "row", "admin.pay.result.cut_off", {"line": str(line)})


def _read(data: bytes, filename: str, report: ResultReport) -> list[_Row]:
    """The file's rows that read whole; the others are noted in the report."""
    try:
        table = read_rows(data, filename, headers=HEADERS, required=REQUIRED)
    except Invalid as error:
        if error.key == "import.not_spreadsheet" and data.startswith(b"PK\x03\x04"):
            # a zip archive that does not open: most likely its end never arrived
            raise Invalid("admin.pay.result.file_cut_off") from error
        raise
    report.rows = len(table.rows)
    last = last_row(data, filename, table)
    rows = []
    for number, raw in table.rows:
        if last is None or number != last.line or last.proof == "":
            if (row := _parse(number, raw, report.problems)) is not None:
                rows.append(row)
            continue
        row = _parse(number, raw, []) if last.proof else None
        if row is not None and not _whole(row, raw, last.proof or ""):
            row = None
        if row is None:  # it cannot prove it is whole: whatever else is wrong, it is cut
            report.problems.append(_cut(number))
            continue
        row.unterminated = last.proof == "amount"  # the line's amount must prove it
        rows.append(row)
    return rows


async def _by_id(session: AsyncSession, ids: list[int], known: dict[int, _Line]) -> None:
    ids = sorted(set(ids))
    for start in range(0, len(ids), 5000):
        query = select(*_LINE_COLUMNS).where(PaymentLine.id.in_(ids[start : start + 5000]))
        for values in await session.execute(query):
            known.setdefault(values[0], _Line(*values))


async def _by_cccd(
    session: AsyncSession, protector: DataProtector, rows: list[_Row], known: dict[int, _Line]
) -> dict[tuple[str, str], _Line]:
    """Lines found by (CCCD, period), through the keyed hash of the CCCD."""
    hashes: dict[str, str] = {
        h: row.cccd for row in rows if row.cccd for h in protector.lookup_hashes(row.cccd)
    }
    found: dict[tuple[str, str], _Line] = {}
    keys, periods = list(hashes), sorted({row.period for row in rows if row.cccd and row.period})
    for start in range(0, len(keys), 2000):
        query = (
            select(*_LINE_COLUMNS, Person.cccd_hash, PaymentList.period)
            .select_from(Person)
            .join(Beneficiary, Beneficiary.person_id == Person.id)
            .join(PaymentLine, PaymentLine.beneficiary_id == Beneficiary.id)
            .join(PaymentList, PaymentList.id == PaymentLine.list_id)
            .where(
                Person.cccd_hash.in_(keys[start : start + 2000]), PaymentList.period.in_(periods)
            )
        )
        for *values, cccd_hash, period in (await session.execute(query)).all():
            line = known.setdefault(values[0], _Line(*values))  # one object per line
            if cccd_hash is not None:
                found[(hashes[cccd_hash], period)] = line
    return found


async def _lists(session: AsyncSession, lines: Iterable[_Line]) -> dict[int, PaymentList]:
    ids = sorted({line.list_id for line in lines})
    query = select(PaymentList).where(PaymentList.id.in_(ids)).with_for_update()
    return {pl.id: pl for pl in (await session.scalars(query)).all()}


def _check(
    row: _Row,
    line: _Line | None,
    lists: dict[int, PaymentList],
    communes: Collection[int] | None,
) -> str | None:
    """The problem key that keeps a row from applying, if any."""
    owner = lists.get(line.list_id) if line is not None else None
    if row.unterminated and (line is None or row.amount != line.amount):
        return "admin.pay.result.cut_off"  # the amount that would prove it whole does not
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
    report = ResultReport()
    rows = _read(data, filename, report)
    known: dict[int, _Line] = {}
    await _by_id(session, [r.line_id for r in rows if r.line_id is not None], known)
    by_cccd = await _by_cccd(session, protector, rows, known)
    lines = {
        r.line: known.get(r.line_id) if r.line_id is not None else by_cccd.get(_cccd_key(r))
        for r in rows
    }
    lists = await _lists(session, known.values())
    imported = PaymentResultImport(
        filename=filename[:200], file_sha256=hashlib.sha256(data).hexdigest(), imported_by=actor
    )
    session.add(imported)
    await session.flush()
    today = now.astimezone(zone(settings.timezone)).date()
    expires = now + timedelta(days=3)  # a payment notice is never sent days late
    touched: set[int] = set()
    changed: dict[int, _Line] = {}
    notices: list[PersonMessage] = []
    for row in rows:
        line = lines[row.line]
        problem = _check(row, line, lists, communes)
        if problem is not None or line is None:
            cut = problem == "admin.pay.result.cut_off"
            report.problems.append(
                _cut(row.line) if cut else RowProblem(row.line, "line_id", problem or "")
            )
            continue
        before = (line.result, line.failure_reason, line.paid_on)
        if _apply(row, line, imported.id, now, today):
            report.applied += 1
            touched.add(line.list_id)
            notice = result_notice(line, period=lists[line.list_id].period, expires_at=expires)
            if notice is not None:
                notices.append(notice)
        else:
            report.unchanged += 1
        if (line.result, line.failure_reason, line.paid_on) != before:
            changed[line.id] = line
    report.rejected = report.rows - report.applied - report.unchanged
    await _write(session, changed.values())
    await tell_results(session, notices, settings=settings)
    await _finish(session, report, imported, lists, touched, now, actor)
    return report


def _cccd_key(row: _Row) -> tuple[str, str]:
    return (row.cccd or "", row.period or "")


def _apply(row: _Row, line: _Line, import_id: int, now: datetime, today: date) -> bool:
    """Record one result on the line (in memory); False when the line already says the same."""
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
    return True


_LINES = cast(Table, PaymentLine.__table__)
_WRITE = (
    update(_LINES)
    .where(_LINES.c.id == bindparam("line_id"))
    .values(
        result=bindparam("new_result"),
        failure_reason=bindparam("new_reason"),
        paid_on=bindparam("new_paid_on"),
        result_import_id=bindparam("new_import_id"),
        result_at=bindparam("new_result_at"),
    )
)


async def _write(session: AsyncSession, lines: Iterable[_Line]) -> None:
    """Write the changed lines: one UPDATE by id, executed for all of them at once."""
    values = [
        {
            "line_id": line.id,
            "new_result": line.result,
            "new_reason": line.failure_reason,
            "new_paid_on": line.paid_on,
            "new_import_id": line.result_import_id,
            "new_result_at": line.result_at,
        }
        for line in lines
    ]
    for start in range(0, len(values), 5000):
        await session.execute(_WRITE, values[start : start + 5000])


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
