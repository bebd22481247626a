"""Importing beneficiary lists: good files, bad headers, bad rows, duplicates, re-import, old areas."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook
from sqlalchemy import func, select, text

from messages.text import fold
from models.errors import Invalid
from models.payments.tables import PaymentMethodChoice
from models.people.importer import ImportReport, _search_name, import_file
from models.people.tables import Beneficiary, ContactAddress, Person
from models.places.service import load_units
from models.places.tables import Area
from models.protection import DataProtector
from models.registry import Base
from tests.conftest import TEST_KEY, Database

TODAY = date(2026, 11, 27)
HEADER = "STT,Họ và tên,Ngày sinh,Giới tính,Số CCCD,Số điện thoại,Đối tượng,Xã/Phường,Thôn,Mức trợ cấp,Hình thức nhận,Ngân hàng,Số tài khoản"
GOOD = [
    "1,Hoàng Văn Sáng,12/03/1941,Nam,020041001234,0912 345 678,BTXH,Phường Đông Kinh,Thôn Nà Lầu,540.000,Tiền mặt,,",
    "2,Nông Thị Mai,01/01/1950,Nữ,020150004567,+84 86 123 4567,NCC,Xã Hoàng Văn Thụ,Bản Khiếng,3.012.000,Tài khoản ngân hàng,Agribank,8888 1234 5678",
    "3,Lương Văn Páo,1945,Nam,020045009999,,Bảo trợ xã hội,dong kinh,,540000,,,",
]


@pytest.fixture
def protector() -> DataProtector:
    return DataProtector(TEST_KEY)


async def _load(db: Database) -> None:
    async with db.sessions() as session, session.begin():
        await load_units(session)


async def _import(
    db: Database,
    protector: DataProtector,
    data: bytes,
    name: str = "list.csv",
    dry_run: bool = False,
) -> ImportReport:
    async with db.sessions() as session, session.begin():
        report = await import_file(
            session,
            protector=protector,
            data=data,
            filename=name,
            actor="test",
            today=TODAY,
            dry_run=dry_run,
        )
        if dry_run:
            await session.rollback()
    return report


def _csv(*lines: str) -> bytes:
    return ("\n".join([HEADER, *lines]) + "\n").encode()


async def _count(db: Database, table: type) -> int:
    async with db.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(table)) or 0)


async def test_good_csv_is_imported_encrypted(db: Database, protector: DataProtector) -> None:
    await _load(db)
    report = await _import(db, protector, _csv(*GOOD))
    assert (report.created, report.skipped, report.errors) == (3, 0, [])
    assert await _count(db, Beneficiary) == 3
    assert await _count(db, ContactAddress) == 2
    assert await _count(db, PaymentMethodChoice) == 2
    async with db.sessions() as session:
        person = (await session.scalars(select(Person).order_by(Person.id))).first()
        assert person is not None and person.cccd_masked == "020******234"
        assert protector.decrypt(person.cccd_enc or b"") == "020041001234"
        choice = (
            await session.scalars(
                select(PaymentMethodChoice).where(PaymentMethodChoice.account_masked.is_not(None))
            )
        ).one()
        assert choice.provider_code == "AGRIBANK"
        assert choice.account_masked is not None and choice.account_masked.endswith("5678")


async def test_no_clear_numbers_in_the_database(db: Database, protector: DataProtector) -> None:
    await _load(db)
    await _import(db, protector, _csv(*GOOD))
    secrets = ("020041001234", "020150004567", "888812345678")
    if db.is_sqlite:
        await db.engine.dispose()  # checkpoint: everything lands in the main file
        path = Path(db.url.split("///", 1)[1])
        raw = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
        assert not [s for s in secrets if s.encode() in raw]
        return
    async with db.engine.connect() as conn:
        dump = ""
        for table in Base.metadata.sorted_tables:
            rows = await conn.execute(text(f'SELECT t::text FROM "{table.name}" t'))
            dump += "\n".join(r[0] for r in rows)
    assert not [s for s in secrets if s in dump]


async def test_dry_run_writes_nothing(db: Database, protector: DataProtector) -> None:
    await _load(db)
    report = await _import(db, protector, _csv(*GOOD), dry_run=True)
    assert report.created == 3 and report.dry_run
    assert await _count(db, Beneficiary) == 0


async def test_reimport_changes_nothing(db: Database, protector: DataProtector) -> None:
    await _load(db)
    await _import(db, protector, _csv(*GOOD))
    again = await _import(db, protector, _csv(*GOOD))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert await _count(db, Beneficiary) == 3
    changed = GOOD[0].replace("540.000", "810.000")
    third = await _import(db, protector, _csv(changed))
    assert (third.updated, third.created) == (1, 0)


async def test_wrong_headers_are_refused(db: Database, protector: DataProtector) -> None:
    await _load(db)
    with pytest.raises(Invalid) as caught:
        await _import(db, protector, b"Name,Foo\nA,B\n")
    assert caught.value.key == "import.missing_columns"


async def test_bad_rows_are_reported_and_skipped(db: Database, protector: DataProtector) -> None:
    await _load(db)
    bad = [
        "4,Người Sai,01/01/1940,Nam,12345,0912345678,BTXH,Phường Đông Kinh,,540000,,,",
        "5,Sai Điện Thoại,01/01/1940,Nam,020040001111,0163 123 4567,BTXH,Phường Đông Kinh,,540000,,,",
        "6,Không Rõ Xã,01/01/1940,Nam,020040002222,,BTXH,Xã Không Tồn Tại,,540000,,,",
        "7,Ngân Hàng Lạ,01/01/1940,Nam,020040003333,,BTXH,Phường Đông Kinh,,540000,"
        "Tài khoản,Ngân hàng Sao Hỏa,123456",
        "8,,01/01/1940,Nam,020040004444,,XYZ,Phường Đông Kinh,,abc,,,",
    ]
    report = await _import(db, protector, _csv(GOOD[0], *bad))
    assert report.created == 1 and report.skipped == 5
    found = {(p.line, p.field, p.key) for p in report.errors}
    assert (3, "cccd", "id.cccd.length") in found
    assert (4, "phone", "id.phone.old_format") in found
    assert (5, "commune", "import.commune_unknown") in found
    assert (6, "bank", "id.bank.unknown") in found
    assert {
        (7, "full_name", "import.required"),
        (7, "category", "import.category_unknown"),
        (7, "monthly_amount", "import.amount_invalid"),
    } <= found


async def test_duplicate_cccd_in_one_file(db: Database, protector: DataProtector) -> None:
    await _load(db)
    report = await _import(db, protector, _csv(GOOD[0], GOOD[0].replace("Sáng", "Sang")))
    assert report.created == 1
    assert [(p.line, p.key) for p in report.errors] == [(3, "import.duplicate")]


async def test_old_commune_names_map_to_today(db: Database, protector: DataProtector) -> None:
    await _load(db)
    header = "Họ và tên,Số CCCD,Đối tượng,Huyện,Xã"
    rows = [
        "Vi Văn Lợi,020050001111,BTXH,Huyện Đình Lập,Xã Bắc Xa",  # merged into Xã Kiên Mộc
        "Lăng Thị Hoa,020150002222,BTXH,Huyện Đình Lập,Xã Bính Xá",  # split: needs an officer
    ]
    data = ("\n".join([header, *rows]) + "\n").encode()
    report = await _import(db, protector, data)
    assert report.created == 2
    async with db.sessions() as session:
        merged = (
            await session.scalars(
                select(Beneficiary).where(Beneficiary.area_needs_confirmation.is_(False))
            )
        ).one()
        commune = await session.get(Area, merged.commune_id)
        assert commune is not None and commune.name == "Xã Kiên Mộc" and not commune.legacy
        split = (
            await session.scalars(
                select(Beneficiary).where(Beneficiary.area_needs_confirmation.is_(True))
            )
        ).all()
        assert len(split) == 1 and split[0].commune_id is None and split[0].legacy_area_id
        legacy = await session.get(Area, split[0].legacy_area_id)
        assert legacy is not None and legacy.legacy


async def test_xlsx_is_read_like_csv(db: Database, protector: DataProtector) -> None:
    await _load(db)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for line in [HEADER, *GOOD]:
        sheet.append(line.split(","))
    buffer = io.BytesIO()
    book.save(buffer)
    report = await _import(db, protector, buffer.getvalue(), name="danh-sach.xlsx")
    assert report.created == 3 and report.errors == []


@pytest.mark.parametrize(
    ("data", "name", "key"),
    [
        (b"", "empty.csv", "import.empty"),
        (b"", "empty.xlsx", "import.empty"),
        (b"not a zip at all", "fake.xlsx", "import.not_spreadsheet"),
        (b"a,b", "list.pdf", "import.unknown_format"),
    ],
)
async def test_malformed_files(
    db: Database, protector: DataProtector, data: bytes, name: str, key: str
) -> None:
    await _load(db)
    with pytest.raises(Invalid) as caught:
        await _import(db, protector, data, name=name)
    assert caught.value.key == key
    assert await _count(db, Person) == 0


async def test_zip_bomb_is_refused(db: Database, protector: DataProtector) -> None:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (50 * 1024 * 1024))
    with pytest.raises(Invalid) as caught:
        await _import(db, protector, buffer.getvalue(), name="bomb.xlsx")
    assert caught.value.key == "import.too_large"


async def test_duplicates_across_chunks(
    db: Database, protector: DataProtector, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A CCCD seen in an earlier chunk is still a duplicate."""
    import models.people.importer as importer

    monkeypatch.setattr(importer, "CHUNK", 7)
    await _load(db)
    lines = [
        f"{i},Người Số {i},01/01/1950,Nam,0200500{i:05d},,BTXH,Phường Đông Kinh,,540000,,,"
        for i in range(30)
    ]
    lines.append(lines[3].replace("Người Số 3", "Người Trùng"))  # same CCCD, later chunk
    report = await _import(db, protector, _csv(*lines))
    assert report.created == 30
    assert [(p.line, p.key) for p in report.errors] == [(32, "import.duplicate")]
    assert await _count(db, Beneficiary) == 30


_NAME_TEXT = st.text(
    st.one_of(
        st.sampled_from(
            list("ÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝàáâãèéêìíòóôõùúýĂăĐđĨĩŨũƠơƯưạẢảẤấẦầẨẩẪẫẬậắỆệỉịọỏốồổỗộ")
        ),
        st.sampled_from(list(" \t\u00a0\u2003\u0301\u0323Σσς'-.")),
        st.characters(),
    )
)


@given(_NAME_TEXT)
def test_search_name_is_the_folded_name(text: str) -> None:
    """The import folds a name word by word; the result is fold() of the whole name."""
    name = " ".join(text.split())  # as the row checker leaves a name
    assert _search_name(name) == fold(name)
