"""Writing lists for officers as CSV (UTF-8 with BOM, so Excel reads the accents) or XLSX."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from enum import StrEnum

from fastapi.responses import Response

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Cell = str | int | None


class FileFormat(StrEnum):
    """The file formats lists are exported in."""

    CSV = "csv"
    XLSX = "xlsx"


def _formula_safe(value: Cell) -> Cell:
    """Text a spreadsheet would run as a formula is prefixed with an apostrophe."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def to_csv(headers: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    """A CSV file with a header row."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(headers)
    for row in rows:
        writer.writerow(["" if v is None else _formula_safe(v) for v in row])
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(headers: Sequence[str], rows: Iterable[Sequence[Cell]], title: str) -> bytes:
    """An XLSX workbook of one sheet; ID and account numbers stay text (leading zeros)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31] or "ansinh")
    sheet.append(list(headers))
    for row in rows:
        sheet.append([_formula_safe(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def file_response(
    headers: Sequence[str], rows: Iterable[Sequence[Cell]], *, fmt: FileFormat, name: str
) -> Response:
    """The list as a download named `name`.csv or `name`.xlsx."""
    if fmt == FileFormat.XLSX:
        body, media = to_xlsx(headers, rows, name), XLSX_TYPE
    else:
        body, media = to_csv(headers, rows), CSV_TYPE
    disposition = f'attachment; filename="{name}.{fmt.value}"'
    return Response(body, media_type=media, headers={"Content-Disposition": disposition})


FILE_RESPONSES: dict[int | str, dict[str, object]] = {
    200: {
        "description": "The list as a file (CSV with a header row, or an XLSX workbook).",
        "content": {CSV_TYPE: {}, XLSX_TYPE: {}},
    }
}
