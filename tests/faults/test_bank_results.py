"""The bank's results file imported twice, or cut off anywhere (even inside a row or a letter):
the row the cut went through is never applied, the officer is told which line to send again,
the state ends as one clean import leaves it, every payee is told once, the missing are listed."""

from __future__ import annotations

import csv
import io
from collections import Counter

import pytest

from messages.render import render_text
from models.errors import DomainError, Invalid
from models.paylists.results import ResultReport, import_results
from models.paylists.tables import PaymentLine
from models.sheets import write_xlsx
from tests.admin_payments.helpers import NOW, PROTECTOR, small_province
from tests.conftest import Database
from tests.faults.bank import (
    LINES,
    expected_notices,
    exported_lines,
    line_state,
    result_notices,
    results_file,
)


async def _exported(db: Database) -> list[PaymentLine]:
    """An exported list in a small province."""
    async with db.sessions() as session, session.begin():
        commune = (await small_province(session)).communes[0].id
        return await exported_lines(session, commune, db.settings)


async def _import(db: Database, data: bytes, filename: str = "ket-qua.csv") -> ResultReport:
    async with db.sessions() as session, session.begin():
        return await import_results(
            session, protector=PROTECTOR, data=data, filename=filename, actor="key:bank",
            now=NOW, settings=db.settings,
        )  # fmt: skip


async def test_the_same_file_twice_changes_nothing_the_second_time(db: Database) -> None:
    lines = await _exported(db)
    data, intents = results_file(lines)
    first = await _import(db, data)
    assert (first.applied, first.rejected) == (LINES, 0)
    state, notices = await line_state(db), await result_notices(db)
    second = await _import(db, data)
    assert (second.applied, second.unchanged, second.rejected) == (0, LINES, 0)
    assert await line_state(db) == state == intents
    assert await result_notices(db) == notices == expected_notices(lines, intents)


CUTS = [
    "between rows",
    "inside the line id",
    "after the line id",
    "inside the result",
    "inside the reason",
    "inside a letter",
    "inside the date",
    "inside the amount",
]


def _cuts(data: bytes) -> dict[str, int]:
    """Byte offsets where a transfer may stop: between rows, inside each field of a row."""
    row = data.index(b"\r\n", len(data) // 2) + 2  # a row in the middle, then its fields
    comma = data.index(b",", row)
    failed = data.index("Tài khoản đã đóng".encode())
    wrong = data.index("Sai số tài khoản".encode(), row)
    return {
        "between rows": row,
        "inside the line id": row + 1,
        "after the line id": comma,
        "inside the result": comma + 3,
        "inside the reason": failed + len("Tài kh".encode()),
        "inside a letter": wrong + len(b"Sai s") + 1,  # 'ố' takes three bytes
        "inside the date": data.index(b"/2026", row) + 3,
        "inside the amount": data.index(b"\r\n", row) - 3,
    }


@pytest.mark.parametrize("where", CUTS)
async def test_a_cut_off_file_then_the_whole_one_ends_as_one_clean_import(
    db: Database, where: str
) -> None:
    lines = await _exported(db)
    data, intents = results_file(lines)
    cut = _cuts(data)[where]
    try:
        partial: ResultReport | None = await _import(db, data[:cut])
    except DomainError:
        partial = None  # refusing the whole cut file is as good: nothing applied
    state = await line_state(db)
    # what the cut file applied is exactly what the whole file says, reason and date too: the
    # row the cut went through is not applied at all
    assert state == {i: intents[i] for i in state}
    assert len(state) == data[:cut].count(b"\r\n") - 1  # every whole row, not the cut one
    assert await result_notices(db) == expected_notices(
        [line for line in lines if line.id in state], intents
    )
    if partial is not None:  # the officer reads which line was cut, and the lines still waiting
        cut_off = [p for p in partial.problems if p.key == "admin.pay.result.cut_off"]
        if where == "between rows":
            assert cut_off == [] and partial.rejected == 0
        else:
            line = data[:cut].count(b"\r\n") + 1  # the header is line 1
            assert [(p.line, p.params) for p in cut_off] == [(line, {"line": str(line)})]
            assert partial.problems == cut_off and partial.rejected == 1
            assert f"Line {line} looks cut off" in render_text(
                cut_off[0].key, cut_off[0].params, locale="en"
            )
        waiting = {line.id for line in lines} - set(state)
        assert partial.lists[0].pending == len(waiting)
        assert set(partial.lists[0].pending_line_ids) == waiting
    full = await _import(db, data)
    assert (full.applied, full.unchanged, full.rejected) == (LINES - len(state), len(state), 0)
    assert await line_state(db) == intents
    assert await result_notices(db) == expected_notices(lines, intents)  # each payee told once


async def test_a_cut_off_spreadsheet_is_refused_whole_then_the_whole_one_applies(
    db: Database,
) -> None:
    lines = await _exported(db)
    data, intents = results_file(lines)
    rows = list(csv.reader(io.StringIO(data.decode(), newline="")))
    book = write_xlsx(rows[0], rows[1:], title="ket-qua")
    with pytest.raises(Invalid) as refused:
        await _import(db, book[: len(book) * 2 // 3], filename="ket-qua.xlsx")
    assert refused.value.key == "admin.pay.result.file_cut_off"
    assert await line_state(db) == {} and await result_notices(db) == Counter()
    full = await _import(db, book, filename="ket-qua.xlsx")
    assert (full.applied, full.rejected) == (LINES, 0)
    assert await line_state(db) == intents
    assert await result_notices(db) == expected_notices(lines, intents)
