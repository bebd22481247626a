"""A results file cut off half-way: which row the cut went through, and whether it is whole.

A CSV ends its last row with a line break, as our own exports, every spreadsheet program and
the bank's system write it. When the last row has none (or the file ends inside a quoted
field), the transfer may have stopped anywhere in that row -- inside the reason, the date, a
number, even a letter -- and what is left still reads as a row. Such a row is applied only if
it proves itself whole for what the import reads of it:

- a field followed by a separator is whole; so when the row goes on past the last column the
  import reads, everything it reads is whole;
- when the row stops in that last column, its value must prove itself: the amount must be the
  line's own (checked against the line: a number cut short is a smaller number), and a payment
  date must be a whole dd/mm/yyyy date (any cut leaves no four-digit year); a failed row needs
  no date, so an empty date after its separator is whole too; a result word must not be the
  start of a word meaning the other result. Any other column (a reason, a line id, a CCCD)
  could have lost its end unseen;
- a row with fewer fields than that is cut.

An XLSX is a zip archive whose directory sits at its end: a cut one does not open at all and is
refused whole (`import_results` names it as cut off).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from models.sheets import Rows

_WHOLE_DATE = re.compile(r"\d{1,2}[/.\-]\d{1,2}[/.\-]\d{4}", re.ASCII)
_SEPARATORS = (",", ";", "\t")
_NOTHING = b' \t,;"\x1a'
PROVABLE = ("amount", "paid_on", "result")  # the columns whose value shows it is whole


@dataclass(frozen=True)
class LastRow:
    """The unterminated last row of a CSV and what may prove it whole.

    `proof` is None when the row cannot prove itself (it is cut), "" when every column read is
    followed by a separator, else the column read last ("amount" or "paid_on"), whose value
    must show that it is whole.
    """

    line: int
    proof: str | None


def last_row(data: bytes, filename: str, table: Rows) -> LastRow | None:
    """The last row of a CSV if the file may stop inside it; None when it ends whole."""
    if not table.rows or not filename.lower().endswith((".csv", ".txt")):
        return None
    open_quote = data.count(b'"') % 2 == 1
    if data.endswith((b"\n", b"\r")) and not open_quote:
        return None
    tail = data[max(data.rfind(b"\n"), data.rfind(b"\r")) + 1 :]
    if not open_quote and not tail.strip(_NOTHING):
        return None  # only separators after the last line break: an empty row, nothing cut
    line = table.rows[-1][0]
    record = _last_record(data)
    read = [i for i, name in enumerate(table.fields) if name]
    if open_quote or not read or len(record) < read[-1] + 1:
        return LastRow(line, None)
    if len(record) > read[-1] + 1:
        return LastRow(line, "")
    last = table.fields[read[-1]]
    return LastRow(line, last if last in PROVABLE else None)


def whole_date(text: str) -> bool:
    """Whether a date is written dd/mm/yyyy (also '-' or '.'): no cut leaves one of those."""
    return _WHOLE_DATE.fullmatch(text.strip()) is not None


def _last_record(data: bytes) -> list[str]:
    """The fields of the file's last record that holds anything.

    Separators and quotes are ASCII in every encoding a results file comes in (UTF-8,
    Windows-1258), so the bytes are read one character each; the separator is chosen from the
    header as `models.sheets` chooses it.
    """
    text = data.decode("latin-1")
    first = text.splitlines()[0] if text else ""
    delimiter = max(_SEPARATORS, key=first.count)
    last: list[str] = []
    for record in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
        if any(value.strip() for value in record):
            last = record
    return last
