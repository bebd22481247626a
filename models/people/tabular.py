"""Reading the spreadsheets officers keep (CSV or XLSX) into rows keyed by our field names."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field

from messages.text import fold
from models.errors import Invalid

MAX_UNCOMPRESSED = 200 * 1024 * 1024  # an XLSX that inflates beyond this is refused
MAX_RATIO = 200  # ... and so is any member compressed more than this (zip bombs)

# Folded header -> field. Officers' sheets vary; these are the spellings seen in practice.
HEADERS: dict[str, str] = {
    "ho va ten": "full_name",
    "ho ten": "full_name",
    "ten": "full_name",
    "ho va ten doi tuong": "full_name",
    "full name": "full_name",
    "name": "full_name",
    "ngay sinh": "birth_date",
    "ngay thang nam sinh": "birth_date",
    "birth date": "birth_date",
    "nam sinh": "birth_year",
    "birth year": "birth_year",
    "gioi tinh": "gender",
    "gender": "gender",
    "so cccd": "cccd",
    "cccd": "cccd",
    "can cuoc": "cccd",
    "so can cuoc": "cccd",
    "so dinh danh": "cccd",
    "so dinh danh ca nhan": "cccd",
    "cccd/dinh danh": "cccd",
    "so cmnd": "cmnd",
    "cmnd": "cmnd",
    "so dien thoai": "phone",
    "dien thoai": "phone",
    "sdt": "phone",
    "phone": "phone",
    "doi tuong": "category",
    "loai doi tuong": "category",
    "dien": "category",
    "category": "category",
    "nhom": "sub_category",
    "phan loai": "sub_category",
    "nhom doi tuong": "sub_category",
    "sub category": "sub_category",
    "xa": "commune",
    "phuong": "commune",
    "xa/phuong": "commune",
    "xa phuong": "commune",
    "xa, phuong": "commune",
    "commune": "commune",
    "huyen": "district",
    "quan/huyen": "district",
    "huyen/thanh pho": "district",
    "district": "district",
    "thon": "village",
    "thon/ban": "village",
    "thon/xom": "village",
    "thon, ban": "village",
    "village": "village",
    "muc tro cap": "monthly_amount",
    "so tien": "monthly_amount",
    "muc huong": "monthly_amount",
    "so tien hang thang": "monthly_amount",
    "monthly amount": "monthly_amount",
    "hinh thuc nhan": "method",
    "hinh thuc chi tra": "method",
    "method": "method",
    "ngan hang": "bank",
    "bank": "bank",
    "so tai khoan": "account",
    "tai khoan": "account",
    "account": "account",
    "ten chu tai khoan": "holder_name",
    "chu tai khoan": "holder_name",
    "holder name": "holder_name",
    "ly do nhan tien mat": "cash_reason",
    "ly do": "cash_reason",
    "cash reason": "cash_reason",
    "ma doi tuong": "registry_code",
    "ma so": "registry_code",
    "registry code": "registry_code",
}
REQUIRED = ("full_name", "category", "commune")
_NOISE = re.compile(r"\(.*?\)|\*|:|\.")


@dataclass
class Sheet:
    """Rows read from a file: mapped headers, ignored headers, and (line, values) pairs."""

    fields: list[str | None]
    ignored: list[str] = field(default_factory=list)
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)


def header_field(header: str) -> str | None:
    """Our field for a spreadsheet header ('Số CCCD (*)' -> 'cccd'), or None."""
    key = " ".join(_NOISE.sub(" ", fold(header)).split())
    return HEADERS.get(key)


def _mapped(header: list[str]) -> Sheet:
    fields = [header_field(h) if h else None for h in header]
    missing = [name for name in REQUIRED if name not in fields]
    if missing:
        raise Invalid("import.missing_columns", columns=", ".join(missing))
    if "cccd" not in fields and "registry_code" not in fields:
        raise Invalid("import.missing_columns", columns="cccd")
    ignored = [h for h, f in zip(header, fields, strict=True) if h and f is None]
    return Sheet(fields=fields, ignored=ignored)


def _collect(sheet: Sheet, rows: Iterator[tuple[int, list[str]]]) -> Sheet:
    for line, values in rows:
        record = {
            name: value.strip()
            for name, value in zip(sheet.fields, values, strict=False)
            if name and value and value.strip()
        }
        if record:
            sheet.rows.append((line, record))
    return sheet


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1258"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise Invalid("import.encoding")


def read_csv(data: bytes) -> Sheet:
    """Read a CSV file (UTF-8 or Windows-1258; comma, semicolon or tab separated)."""
    if not data.strip():
        raise Invalid("import.empty")
    text = _decode(data)
    first = text.splitlines()[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader)
    sheet = _mapped([h.strip() for h in header])
    return _collect(sheet, ((n, row) for n, row in enumerate(reader, start=2)))


def _check_zip(data: bytes) -> None:
    buffer = io.BytesIO(data)
    if not zipfile.is_zipfile(buffer):
        raise Invalid("import.not_spreadsheet")
    with zipfile.ZipFile(buffer) as archive:
        members = archive.infolist()
        names = {m.filename for m in members}
        if "xl/workbook.xml" not in names:
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


def read_xlsx(data: bytes) -> Sheet:
    """Read the first worksheet of an XLSX file, refusing zip bombs and non-spreadsheets."""
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
        sheet = _mapped([_cell(h).strip() for h in header])
        lines = ((n, [_cell(v) for v in row]) for n, row in enumerate(rows, start=2))
        return _collect(sheet, lines)
    finally:
        workbook.close()


def read_table(data: bytes, filename: str) -> Sheet:
    """Read CSV or XLSX by the file's name."""
    if filename.lower().endswith((".xlsx", ".xlsm")):
        return read_xlsx(data)
    if filename.lower().endswith((".csv", ".txt")):
        return read_csv(data)
    raise Invalid("import.unknown_format")
