"""The columns of the beneficiary lists officers keep; reading itself is models/sheets.py."""

from __future__ import annotations

from models.sheets import Rows, read_rows

Sheet = Rows

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
REQUIRED = ("full_name", "category", "commune", ("cccd", "registry_code"))


def read_table(data: bytes, filename: str) -> Sheet:
    """Read a beneficiary list (CSV or XLSX) by the file's name."""
    return read_rows(data, filename, headers=HEADERS, required=REQUIRED)
