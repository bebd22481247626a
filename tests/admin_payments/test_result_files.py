"""How a results file is read: the last row of a file without its final line break applies
only when it proves itself whole; dates and amounts must read whole on every row."""

from __future__ import annotations

import pytest

from models.paylists.results import ResultReport, import_results, parse_amount
from models.paylists.tables import PaymentLine
from tests.admin_payments.helpers import NOW, PROTECTOR, small_province
from tests.conftest import Database
from tests.faults.bank import exported_lines, line_state

CUT = "admin.pay.result.cut_off"


async def _lines(db: Database) -> list[PaymentLine]:
    async with db.sessions() as session, session.begin():
        commune = (await small_province(session)).communes[0].id
        lines = await exported_lines(session, commune, db.settings)
    return [line for line in lines if line.method == "bank_account"]


async def _import(db: Database, text: str, filename: str = "ket-qua.csv") -> ResultReport:
    async with db.sessions() as session, session.begin():
        return await import_results(
            session, protector=PROTECTOR, data=text.encode(), filename=filename,
            actor="key:bank", now=NOW, settings=db.settings,
        )  # fmt: skip


# (header, the last row without its line break, applied?) -- {id} and {amount} are the line's
LAST_ROWS = [
    ("line_id,result,reason", "{id},Thất bại,Tài khoản đã đóng", False),  # a reason may be cut
    ("line_id,result,reason,paid_on", "{id},Đã chi,,05/03/2026", True),  # a whole date
    ("line_id,result,reason,paid_on", "{id},Đã chi,,05/03/202", False),
    ("line_id,result,reason,paid_on", "{id},Đã chi,,2026-03-15", False),  # '2026-03-1' reads too
    ("line_id,result,reason,paid_on", "{id},Đã chi,,", False),  # the date may have been cut off
    ("line_id,result,reason,paid_on", "{id},that bai,Tài khoản đã đóng,", True),  # needs no date
    ("line_id,result,reason,paid_on", "{id},that bai,Tài khoản đã đóng", False),
    ("line_id,result", "{id},Đã chi", True),  # no result word starts another
    ("line_id,result", "{id},Thất", False),
    ("line_id,result,reason,ghi chu", "{id},that bai,Sai số tài khoản,x", True),  # ends past it
    ("line_id,result,reason,paid_on,amount", "{id},Đã chi,,05/03/2026,{amount}", True),
    ("line_id,result,reason,paid_on,amount", "{id},Đã chi,,05/03/2026,{short}", False),
    ("line_id;result;reason;paid_on", "{id};that bai;Tài khoản đã đóng;", True),
    ("line_id,result,reason", '{id},that bai,"Tài khoản\r\nđã đóng"', False),  # quote unclosed
]


@pytest.mark.parametrize(("header", "last", "applied"), LAST_ROWS)
async def test_the_last_row_without_its_line_break_applies_only_when_whole(
    db: Database, header: str, last: str, applied: bool
) -> None:
    first, line = (await _lines(db))[:2]
    sep = ";" if ";" in header else ","
    whole = f"{first.id}{sep}Đã chi{sep}" + sep * (header.count(sep) - 1)
    text = f"{header}\r\n{whole}\r\n" + last.format(
        id=line.id, amount=line.amount, short=str(line.amount)[:-2]
    )
    if last.endswith('"'):
        text = text[: text.rindex("đã đóng")]  # the file ends inside the quoted reason
    report = await _import(db, text)
    state = await line_state(db)
    assert first.id in state
    assert (line.id in state) is applied
    cut = [(p.line, p.key) for p in report.problems]
    assert cut == ([] if applied else [(3, CUT)])


async def test_an_empty_last_row_without_its_line_break_is_no_cut(db: Database) -> None:
    first, line = (await _lines(db))[:2]
    report = await _import(db, f"line_id,result\r\n{first.id},paid\r\n{line.id},paid\r\n,")
    assert (report.applied, report.problems) == (2, [])


async def test_dates_and_amounts_must_read_whole(db: Database) -> None:
    one, two, three = (await _lines(db))[:3]
    report = await _import(
        db,
        "line_id,result,paid_on,amount\r\n"
        f"{one.id},paid,05/0,{one.amount}\r\n"  # a date that does not read is not 'no date'
        f"{two.id},paid,05/03/2026,{two.amount}.5\r\n"
        f'{three.id},paid,05/03/2026,"{three.amount:,} đ"\r\n',
    )
    assert [(p.line, p.field, p.key) for p in report.problems] == [
        (2, "paid_on", "admin.pay.result.date_invalid"),
        (3, "amount", "admin.pay.result.amount_invalid"),
    ]
    assert set(await line_state(db)) == {three.id}


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("540000", 540_000),
        ("540.000", 540_000),
        ("1,500,000 đ", 1_500_000),
        ("1.500.000 VND", 1_500_000),
        ("540000.00", 540_000),
        ("1,500,000.00", 1_500_000),
        ("540 000", 540_000),
        ("540.0001", None),
        ("540.5", None),
        ("5,40", None),
        ("năm trăm", None),
        ("-540000", None),
    ],
)
def test_amounts_read_as_banks_write_them(text: str, amount: int | None) -> None:
    assert parse_amount(text) == amount
