"""Spreadsheets in and out (CSV, XLSX) for officer and payer files, with any column vocabulary.

Every import reads through here (beneficiary lists, service points, bank results): UTF-8 or
Windows-1258 text, a real XLSX workbook, and no zip bombs. Writing neutralises cells that a
spreadsheet would run as a formula.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from messages.text import fold
from models.errors import Invalid

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = {"csv": CSV_TYPE, "xlsx": XLSX_TYPE}
_NOISE = re.compile(r"\(.*?\)|\*|:|\.")
_SEPARATORS = re.compile(r"[_\-/]+")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

Required = Sequence[str | tuple[str, ...]]
MAX_UNCOMPRESSED = 200 * 1024 * 1024  # an XLSX that inflates beyond this is refused
MAX_RATIO = 200  # ... and so is any member compressed more than this (zip bombs)


@dataclass(frozen=True)
class ExportFile:
    """A file to hand over: its bytes, a name, a media type and how many rows it holds."""

    content: bytes
    filename: str
    media_type: str
    lines: int


@dataclass
class Rows:
    """Rows read from a file: (line number, {field: value}) for each non-empty row."""

    fields: list[str | None]
    ignored: list[str] = field(default_factory=list)
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)


def header_key(header: str) -> str:
    """A header folded for lookup: 'Số CCCD (*)' -> 'so cccd', 'line_id' -> 'line id'."""
    cleaned = _SEPARATORS.sub(" ", _NOISE.sub(" ", fold(header)))
    return " ".join(cleaned.split())


def _mapped(header: list[str], headers: Mapping[str, str], required: Required) -> Rows:
    fields = [headers.get(header_key(h)) if h else None for h in header]
    present = {f for f in fields if f}
    missing = [
        "/".join(need) if isinstance(need, tuple) else need
        for need in required
        if not (set(need) if isinstance(need, tuple) else {need}) & present
    ]
    if missing:
        raise Invalid("import.missing_columns", columns=", ".join(missing))
    ignored = [h for h, f in zip(header, fields, strict=True) if h and f is None]
    return Rows(fields=fields, ignored=ignored)


def _collect(table: Rows, rows: Iterable[tuple[int, list[str]]]) -> Rows:
    for line, values in rows:
        record = {
            name: value.strip()
            for name, value in zip(table.fields, values, strict=False)
            if name and value and value.strip()
        }
        if record:
            table.rows.append((line, record))
    return table


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        if error.reason == "unexpected end of data":  # UTF-8 cut off inside its last letter
            return data[: error.start].decode("utf-8-sig")
    try:
        return data.decode("cp1258")  # Vietnamese Windows
    except UnicodeDecodeError:
        raise Invalid("import.encoding") from None


def _read_csv(data: bytes, headers: Mapping[str, str], required: Required) -> Rows:
    if not data.strip():
        raise Invalid("import.empty")
    text = _decode(data)
    first = text.splitlines()[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    table = _mapped([h.strip() for h in next(reader)], headers, required)
    return _collect(table, enumerate(reader, start=2))


def _check_zip(data: bytes) -> None:
    buffer = io.BytesIO(data)
    if not zipfile.is_zipfile(buffer):
        raise Invalid("import.not_spreadsheet")
    with zipfile.ZipFile(buffer) as archive:
        members = archive.infolist()
        if "xl/workbook.xml" not in {m.filename for m in members}:
            raise Invalid("import.not_spreadsheet")
        total = sum(m.file_size for m in members)
        ratios = (m.file_size / max(m.compress_size, 1) for m in members)
        if total > MAX_UNCOMPRESSED or any(r > MAX_RATIO for r in ratios):
            raise Invalid("import.too_large")


def _cell(value: object) -> str:
    if value is None:
        return ""
    if hasattr(value, "strftime"):
        return str(value.strftime("%d/%m/%Y"))
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_xlsx(data: bytes, headers: Mapping[str, str], required: Required) -> Rows:
    if not data:
        raise Invalid("import.empty")
    _check_zip(data)
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for broken files
        raise Invalid("import.not_spreadsheet") from error
    try:
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            raise Invalid("import.empty")
        table = _mapped([_cell(h).strip() for h in header], headers, required)
        lines = ((n, [_cell(v) for v in row]) for n, row in enumerate(rows, start=2))
        return _collect(table, lines)
    finally:
        workbook.close()


def read_rows(
    data: bytes, filename: str, *, headers: Mapping[str, str], required: Required = ()
) -> Rows:
    """Read a CSV or XLSX file whose header names map (folded) to fields through `headers`.

    `required` names fields that must be present; a tuple means any one of them.
    """
    folded = {header_key(name): value for name, value in headers.items()}
    name = filename.lower()
    if name.endswith((".xlsx", ".xlsm")):
        return _read_xlsx(data, folded, required)
    if name.endswith((".csv", ".txt")):
        return _read_csv(data, folded, required)
    raise Invalid("import.unknown_format")


def _safe(value: Any) -> Any:
    """A cell value that no spreadsheet evaluates as a formula."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def write_csv(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """A UTF-8 CSV (with BOM, so spreadsheet programs read Vietnamese right)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows([_safe(v) for v in row] for row in rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def write_xlsx(columns: Sequence[str], rows: Iterable[Sequence[Any]], *, title: str) -> bytes:
    """A one-sheet XLSX workbook; numbers stay numbers, account numbers stay text."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31])
    sheet.append(list(columns))
    for row in rows:
        sheet.append([_safe(v) for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def write_table(
    fmt: str, columns: Sequence[str], rows: Iterable[Sequence[Any]], *, title: str
) -> bytes:
    """The rows as 'csv' or 'xlsx'."""
    if fmt == "xlsx":
        return write_xlsx(columns, rows, title=title)
    if fmt == "csv":
        return write_csv(columns, rows)
    raise Invalid("admin.report.format_unknown", format=fmt)
