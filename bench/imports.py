"""Importing 100,000 beneficiary rows (CSV, XLSX) next to a plain bulk insert of the same rows."""

from __future__ import annotations

import csv
import io
import json
import os
import random
import time
from datetime import date
from typing import Any

from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bench.common import Figure, Timer, fresh_database, make_engine, make_sessionmaker
from models.bulk import bulk_insert
from models.data import UNITS_FILE
from models.people.importer import import_file
from models.people.tables import Beneficiary, ContactAddress, Person
from models.places.service import load_units
from models.protection import DataProtector

HEADER = [
    "Họ và tên",
    "Ngày sinh",
    "Giới tính",
    "Số CCCD",
    "Số điện thoại",
    "Đối tượng",
    "Xã/Phường",
    "Thôn",
    "Mức trợ cấp",
    "Hình thức nhận",
    "Ngân hàng",
    "Số tài khoản",
]
TODAY = date(2026, 11, 27)
PREFIXES = ["091", "094", "096", "097", "098", "086", "088", "032", "035", "038", "070", "079"]


def make_rows(count: int, seed: int = 7) -> list[list[str]]:
    """`count` valid, distinct rows spread over the 65 communes."""
    rng = random.Random(seed)
    communes = [c["name"] for c in json.loads(UNITS_FILE.read_text("utf-8"))["communes"]]
    rows = []
    for i in range(count):
        female = i % 2
        year = 1930 + i % 60
        cccd = f"020{female}{year % 100:02d}{i:06d}"
        bank = i % 3 == 0
        rows.append(
            [
                f"Hoàng {'Thị' if female else 'Văn'} Người {i}",
                f"{1 + i % 28:02d}/{1 + i % 12:02d}/{year}",
                "Nữ" if female else "Nam",
                cccd,
                f"{rng.choice(PREFIXES)}{rng.randrange(10**7):07d}",
                "NCC" if i % 6 == 0 else "BTXH",
                communes[i % len(communes)],
                f"Thôn {i % 40}",
                "540.000",
                "Tài khoản ngân hàng" if bank else "Tiền mặt",
                "Agribank" if bank else "",
                f"{10**11 + i}" if bank else "",
            ]
        )
    return rows


def to_csv(rows: list[list[str]]) -> bytes:
    """The rows as a UTF-8 CSV file with Vietnamese headers."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def to_xlsx(rows: list[list[str]]) -> bytes:
    """The rows as an XLSX workbook."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _load() -> str:
    """The machine's load average (1 minute) as the figure was taken: the box is shared."""
    return f"load {os.getloadavg()[0]:.1f}"


def _cpu_note(cpu: float, count: int) -> str:
    """This process's CPU per row (the database server's own time is not in it)."""
    return f"cpu {cpu / count * 1e6:.0f} µs/row"


async def _import(kind: str, data: bytes, name: str) -> tuple[float, float]:
    async with fresh_database(kind) as settings:
        engine = make_engine(settings)
        sessions = make_sessionmaker(engine)
        async with sessions() as session, session.begin():
            await load_units(session)
        protector = DataProtector.from_settings(settings)
        cpu = time.process_time()
        with Timer() as timer:
            async with sessions() as session, session.begin():
                report = await import_file(
                    session,
                    protector=protector,
                    data=data,
                    filename=name,
                    actor="bench",
                    today=TODAY,
                )
        cpu = time.process_time() - cpu
        await engine.dispose()
        assert report.errors == [], report.errors[:5]
        return timer.seconds, cpu


def _plain_people(rows: list[list[str]]) -> list[dict[str, Any]]:
    return [
        {
            "full_name": r[0],
            "search_name": r[0],
            "birth_year": int(r[1][-4:]),
            "gender": r[2],
            "cccd_hash": r[3],
            "locale": "vi",
        }
        for r in rows
    ]


async def _plain_chunk(session: AsyncSession, part: list[list[str]]) -> None:
    await bulk_insert(session, Person, _plain_people(part))
    found = await session.execute(
        select(Person.cccd_hash, Person.id).where(Person.cccd_hash.in_([r[3] for r in part]))
    )
    ids = dict(found.tuples().all())
    await bulk_insert(
        session,
        Beneficiary,
        [
            {
                "person_id": ids[r[3]],
                "category": r[5],
                "village": r[7],
                "status": "active",
                "monthly_amount": 540000,
                "verification_status": "unverified",
            }
            for r in part
        ],
    )
    await bulk_insert(
        session,
        ContactAddress,
        [
            {"person_id": ids[r[3]], "channel": "tel", "address": f"tel:{r[4]}", "priority": 0}
            for r in part
        ],
    )


async def _plain_insert(kind: str, rows: list[list[str]], chunk: int = 2000) -> tuple[float, float]:
    """The same rows written by the same bulk path, with no validation and no encryption."""
    async with fresh_database(kind) as settings:
        engine = make_engine(settings)
        sessions = make_sessionmaker(engine)
        async with sessions() as session, session.begin():
            await load_units(session)
        cpu = time.process_time()
        with Timer() as timer:
            async with sessions() as session, session.begin():
                for start in range(0, len(rows), chunk):
                    await _plain_chunk(session, rows[start : start + chunk])
        cpu = time.process_time() - cpu
        await engine.dispose()
        return timer.seconds, cpu


async def run(kinds: list[str], count: int) -> list[Figure]:
    """Import `count` rows from CSV and XLSX on each database, with the plain insert beside."""
    rows = make_rows(count)
    csv_data, xlsx_data = to_csv(rows), to_xlsx(rows)
    figures = []
    for kind in kinds:
        baseline, cpu = await _plain_insert(kind, rows)
        note = f"{_cpu_note(cpu, count)}, {_load()}"
        figures.append(Figure("plain bulk insert (baseline)", kind, count, baseline, note=note))
        for data, name in ((csv_data, "list.csv"), (xlsx_data, "list.xlsx")):
            seconds, cpu = await _import(kind, data, name)
            figures.append(
                Figure(
                    f"import {name.split('.')[1].upper()}",
                    kind,
                    count,
                    seconds,
                    baseline,
                    f"validate + encrypt + write; {_cpu_note(cpu, count)}, {_load()}",
                )
            )
    return figures
