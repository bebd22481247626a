"""Uploading lists (dry run first, nothing written on any error) and exporting them."""

from __future__ import annotations

import csv
import io
import zipfile
from typing import Any

import pytest
from openpyxl import load_workbook

from models.audit.tables import AuditEntry
from models.officers.roles import Role
from models.people.tables import Beneficiary, Person
from models.vocab import PaymentMethod
from tests.admin.helpers import (
    add_beneficiary,
    add_officer,
    csv_bytes,
    running,
    small_province,
    xlsx_bytes,
)
from tests.conftest import Database

URL = "/api/v1/beneficiaries"
HEADER = "STT,Họ và tên,Ngày sinh,Giới tính,Số CCCD,Số điện thoại,Đối tượng,Xã/Phường,Mức trợ cấp"
GOOD = [
    "1,Hoàng Văn Sáng,12/03/1941,Nam,020041001234,0912 345 678,BTXH,Phường Đông Kinh,540.000",
    "2,Nông Thị Mai,01/01/1950,Nữ,020150004567,,NCC,dong kinh,3.012.000",
]


async def _officers(db: Database) -> tuple[Any, Any]:
    async with db.sessions() as session, session.begin():
        places = await small_province(session)
        commune = await add_officer(session, "lan.nt", Role.COMMUNE_OFFICER, places.a)
        province = await add_officer(session, "tinh", Role.PROVINCE_OFFICER, places.province)
    return commune, province


def _upload(data: bytes, name: str = "list.csv", dry_run: bool = True) -> dict[str, Any]:
    return {"files": {"file": (name, data)}, "data": {"dry_run": str(dry_run).lower()}}


async def test_dry_run_reports_and_writes_nothing_then_import_writes(db: Database) -> None:
    officer, _ = await _officers(db)
    async with running(db) as app:
        headers = app.as_officer(officer)
        dry = await app.client.post(
            f"{URL}/import", headers=headers, **_upload(csv_bytes(HEADER, *GOOD))
        )
        assert dry.status_code == 200, dry.text
        assert (dry.json()["dry_run"], dry.json()["created"], dry.json()["problems"]) == (
            True,
            2,
            [],
        )
        assert dry.json()["ignored_columns"] == ["STT"]
        assert await app.count(Beneficiary) == 0 and await app.count(AuditEntry) == 0
        real = await app.client.post(f"{URL}/import", headers=headers,
                                     **_upload(csv_bytes(HEADER, *GOOD), dry_run=False))  # fmt: skip
        assert real.status_code == 200 and real.json()["created"] == 2
        assert await app.count(Beneficiary) == 2
        [entry] = await app.audit("import")
        assert entry.actor == "lan.nt" and entry.details["created"] == 2


@pytest.mark.parametrize(
    ("data", "name", "code"),
    [
        (b"", "list.csv", "import.empty"),
        (b"", "list.xlsx", "import.empty"),
        ("Tên,Tuổi\nA,1\n".encode(), "list.csv", "import.missing_columns"),
        (b"PK\x03\x04 this is no zip at all", "list.xlsx", "import.not_spreadsheet"),
        (b"name,category\n", "list.pdf", "import.unknown_format"),
    ],
)
async def test_unreadable_uploads_are_problems(
    db: Database, data: bytes, name: str, code: str
) -> None:
    officer, _ = await _officers(db)
    async with running(db) as app:
        answer = await app.client.post(f"{URL}/import", headers=app.as_officer(officer),
                                       **_upload(data, name, dry_run=False))  # fmt: skip
        assert answer.status_code == 422, answer.text
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert answer.json()["code"] == code and answer.json()["title"]
        assert await app.count(Beneficiary) == 0 and await app.count(AuditEntry) == 0


def _zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (50 * 1024 * 1024))
    return buffer.getvalue()


async def test_a_zip_bomb_and_a_zip_that_is_no_spreadsheet_are_refused(db: Database) -> None:
    officer, _ = await _officers(db)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    async with running(db) as app:
        bomb = await app.client.post(f"{URL}/import", headers=app.as_officer(officer),
                                     **_upload(_zip_bomb(), "bomb.xlsx", dry_run=False))  # fmt: skip
        assert bomb.status_code == 422 and bomb.json()["code"] == "import.too_large"
        plain = await app.client.post(f"{URL}/import", headers=app.as_officer(officer),
                                      **_upload(buffer.getvalue(), "x.xlsx", dry_run=False))  # fmt: skip
        assert plain.status_code == 422 and plain.json()["code"] == "import.not_spreadsheet"
        assert await app.count(Beneficiary) == 0


async def test_rows_with_wrong_types_stop_the_whole_import(db: Database) -> None:
    officer, _ = await _officers(db)
    bad = "3,Lý Văn Ba,31/02/1940,Nam,02004100,,XYZ,Phường Đông Kinh,năm trăm"
    async with running(db) as app:
        headers = app.as_officer(officer)
        dry = await app.client.post(f"{URL}/import", headers=headers,
                                    **_upload(csv_bytes(HEADER, *GOOD, bad)))  # fmt: skip
        assert dry.status_code == 200 and dry.json()["created"] == 2
        fields = {p["field"] for p in dry.json()["problems"]}
        assert {"cccd", "category", "monthly_amount"} <= fields
        assert all(p["message"] for p in dry.json()["problems"])
        real = await app.client.post(f"{URL}/import", headers=headers,
                                     **_upload(csv_bytes(HEADER, *GOOD, bad), dry_run=False))  # fmt: skip
        assert real.status_code == 422
        assert real.json()["code"] == "admin.import.rows_invalid"
        assert {e["line"] for e in real.json()["errors"]} == {4}
        assert await app.count(Beneficiary) == 0 and await app.count(AuditEntry) == 0


async def test_rows_outside_the_officer_s_communes_are_refused(db: Database) -> None:
    officer, province = await _officers(db)
    other = "3,Lý Văn Ba,01/01/1940,Nam,020040000333,,BTXH,Xã Hoàng Văn Thụ,540000"
    async with running(db) as app:
        refused = await app.client.post(f"{URL}/import", headers=app.as_officer(officer),
                                        **_upload(csv_bytes(HEADER, *GOOD, other), dry_run=False))  # fmt: skip
        assert refused.status_code == 422 and refused.json()["code"] == "admin.import.out_of_scope"
        assert refused.json()["params"] == {"lines": "4", "count": "1"}
        assert await app.count(Beneficiary) == 0
        done = await app.client.post(f"{URL}/import", headers=app.as_officer(province),
                                     **_upload(csv_bytes(HEADER, *GOOD, other), dry_run=False))  # fmt: skip
        assert done.status_code == 200 and done.json()["created"] == 3
        # The commune officer may not re-import B's person under A's name either.
        moved = other.replace("Xã Hoàng Văn Thụ", "Phường Đông Kinh")
        stolen = await app.client.post(f"{URL}/import", headers=app.as_officer(officer),
                                       **_upload(csv_bytes(HEADER, moved), dry_run=False))  # fmt: skip
        assert stolen.status_code == 422 and stolen.json()["params"]["lines"] == "2"


async def test_xlsx_upload_and_size_limit(db: Database) -> None:
    officer, _ = await _officers(db)
    rows = [[c for c in line.split(",")] for line in (HEADER, *GOOD)]
    async with running(db) as app:
        answer = await app.client.post(f"{URL}/import", headers=app.as_officer(officer),
                                       **_upload(xlsx_bytes(rows), "list.xlsx", dry_run=False))  # fmt: skip
        assert answer.status_code == 200 and answer.json()["created"] == 2
        big = b"a" * (20 * 1024 * 1024 + 1)
        too_big = await app.client.post(f"{URL}/import", headers=app.as_officer(officer),
                                        **_upload(big, "big.csv", dry_run=False))  # fmt: skip
        assert too_big.status_code == 413 and too_big.json()["code"] == "admin.import.too_large"


async def test_export_is_masked_unless_a_reason_is_given(db: Database) -> None:
    async with db.sessions() as session, session.begin():
        places = await small_province(session)
        officer = await add_officer(session, "lan.nt", Role.COMMUNE_OFFICER, places.a)
        await add_beneficiary(session, places.a, 1, method=PaymentMethod.BANK_ACCOUNT)
        await add_beneficiary(session, places.b, 2)
    async with running(db) as app:
        masked = await app.client.get(f"{URL}/export", headers=app.as_officer(officer))
        assert masked.status_code == 200
        rows = list(csv.reader(io.StringIO(masked.content.decode("utf-8-sig"))))
        assert rows[0][:3] == ["Mã đối tượng", "Họ và tên", "Ngày sinh"]
        assert len(rows) == 2 and rows[1][4] == "020******001" and rows[1][12] == "********0001"
        full = await app.client.get(
            f"{URL}/export",
            params={"format": "xlsx", "reason": "Gửi ngân hàng mở tài khoản"},
            headers={**app.as_officer(officer), "Accept-Language": "en"},
        )
        sheet = load_workbook(io.BytesIO(full.content)).active
        assert sheet is not None
        values = [[c.value for c in row] for row in sheet.iter_rows()]
        assert values[0][1] == "Full name" and values[1][4] == "020041000001"
        assert values[1][12] == "888800000001"
        actions = [(e.action, e.reason) for e in await app.audit() if e.entity == "beneficiary"
                   and e.action.startswith("export")]  # fmt: skip
        assert actions == [("export", None), ("export_full", "Gửi ngân hàng mở tài khoản")]
        # Re-importing the exported list changes nothing.
        again = await app.client.post(f"{URL}/import", headers=app.as_officer(officer),
                                      **_upload(full.content, "back.xlsx"))  # fmt: skip
        assert again.status_code == 200, again.text
        assert (again.json()["unchanged"], again.json()["created"]) == (1, 0)
        async with app.app.state.sessions() as session:
            assert await session.get(Person, 1) is not None
