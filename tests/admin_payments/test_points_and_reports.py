"""Service points (change, import, coverage, ATM news), monthly reports and officer reminders."""

from __future__ import annotations

import csv
import io
from datetime import date
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import update

from models.errors import Conflict, Invalid
from models.messaging.tables import OutboxMessage
from models.paylists.results import import_results
from models.paylists.service import generate_list, lines_query
from models.paylists.workflow import approve_list, export_list, submit_list
from models.payments.tables import PaymentMethodChoice
from models.places.catalogue import announce_atm, coverage, import_points, update_point
from models.places.points import InvalidPlace, add_service_point
from models.reports.reminders import add_contact, remind_officers, reminders_query
from models.reports.service import monthly_report, report_file, submit_report
from models.vocab import ChoiceStatus, PaymentMethod
from tests.admin_payments.helpers import NOW, PROTECTOR, beneficiary, messages, small_province
from tests.conftest import Database

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
POINTS = (
    "Loại,Tên,Xã/Phường,Địa chỉ,Vĩ độ,Kinh độ,Ngân hàng\n"
    "ATM,ATM Agribank Đông Kinh,Phường Đông Kinh,Số 1 Lê Lợi,21.85,106.76,Agribank\n"
    "Bưu điện,Bưu cục Mai Pha,Xã Mai Pha,Thôn Nà Lầu,,,VNPost\n"
    "kiosk,Điểm lạ,Xã Mai Pha,Thôn Pò Mới,,,\n"
    "ATM,ATM nowhere,Xã Không Có,Thôn 1,,,\n"
)


async def test_import_points_adds_then_updates_and_reports_bad_rows(db: Database) -> None:
    async with db.sessions() as session, session.begin():
        place = await small_province(session)
        first = await import_points(session, data=POINTS.encode(), filename="p.csv", actor="o")
        again = await import_points(session, data=POINTS.encode(), filename="p.csv", actor="o")
        found = await coverage(session)
    assert (first.created, first.updated, first.skipped) == (2, 0, 2)
    assert sorted(p.key for p in first.problems) == [
        "import.commune_unknown",
        "places.service_point.kind",
    ]
    assert (again.created, again.updated) == (0, 2)
    by_id = {c.commune.id: (c.atms, c.other_points) for c in found}
    assert by_id == {
        place.communes[0].id: (1, 0),
        place.communes[1].id: (0, 0),
        place.communes[2].id: (0, 1),
    }


async def test_import_outside_the_officers_communes_is_refused_per_row(db: Database) -> None:
    async with db.sessions() as session, session.begin():
        place = await small_province(session)
        report = await import_points(
            session,
            data=POINTS.encode(),
            filename="p.csv",
            actor="o",
            communes=[place.communes[2].id],
        )
    assert report.created == 1 and len(report.problems) == 3


async def test_update_point_keeps_the_rules(db: Database) -> None:
    async with db.sessions() as session, session.begin():
        place = await small_province(session)
        point = await add_service_point(
            session, kind="atm", name="ATM", address="Số 1", commune_id=place.communes[0].id
        )
        with pytest.raises(InvalidPlace):
            await update_point(session, point_id=point.id, actor="o", latitude=21.8)
        changed = await update_point(session, point_id=point.id, actor="o", status="closed")
    assert changed.status == "closed"


async def test_new_atm_is_announced_once_to_the_communes_beneficiaries(db: Database) -> None:
    async with db.sessions() as session, session.begin():
        place = await small_province(session)
        for number in (1, 2):
            await beneficiary(session, commune_id=place.communes[0].id, number=number)
        await beneficiary(session, commune_id=place.communes[1].id, number=3)
        atm = await add_service_point(
            session,
            kind="atm",
            name="ATM Vietcombank",
            address="Số 2 Lê Lợi",
            commune_id=place.communes[0].id,
            operator_name="Vietcombank",
        )
        assert await announce_atm(session, point_id=atm.id, actor="o", settings=db.settings) == 2
        assert await announce_atm(session, point_id=atm.id, actor="o", settings=db.settings) == 2
        sent = await messages(session, "notice.atm_new")
        branch = await add_service_point(
            session,
            kind="bank_branch",
            name="Chi nhánh",
            address="Số 3",
            commune_id=place.communes[0].id,
        )
        with pytest.raises(Conflict):
            await announce_atm(session, point_id=branch.id, actor="o", settings=db.settings)
    assert len(sent) == 2
    assert sent[0].params == {"operator": "Vietcombank", "address": "Số 2 Lê Lợi"}


async def test_monthly_report_per_commune_and_province(db: Database) -> None:
    async with db.sessions() as session, session.begin():
        place = await small_province(session)
        a, b = place.communes[0].id, place.communes[1].id
        await beneficiary(session, commune_id=a, number=1, method=PaymentMethod.BANK_ACCOUNT)
        await beneficiary(session, commune_id=a, number=2, method=PaymentMethod.CASH_POINT)
        await beneficiary(
            session,
            commune_id=a,
            number=3,
            method=PaymentMethod.BANK_ACCOUNT,
            status=ChoiceStatus.REQUESTED,
        )
        await beneficiary(session, commune_id=b, number=4, method=PaymentMethod.BANK_ACCOUNT)
        await add_service_point(session, kind="atm", name="ATM", address="Số 1", commune_id=a)
        made = await generate_list(session, commune_id=a, period="2026-03", actor="maker")
        await submit_list(session, list_id=made.id, actor="maker")
        await approve_list(session, list_id=made.id, actor="checker", now=NOW, settings=db.settings)
        await export_list(
            session,
            list_id=made.id,
            actor="checker",
            protector=PROTECTOR,
            now=NOW,
            settings=db.settings,
        )
        lines = list(await session.scalars(lines_query(made.id)))
        rows = "\n".join(
            f"{line.id},{'failed' if line.method == 'cash_point' and line.id == lines[-1].id else 'paid'}"
            for line in lines
        )
        await import_results(
            session,
            protector=PROTECTOR,
            data=f"line_id,result\n{rows}".encode(),
            filename="r.csv",
            actor="bank",
            now=NOW,
            settings=db.settings,
        )
        await session.execute(
            update(OutboxMessage).values(status="sent", sent_at=NOW, campaign_id=7)
        )
        await session.execute(update(PaymentMethodChoice).values(created_at=NOW))
        report = await monthly_report(session, period="2026-03", tz=TZ)
    first = report.communes[0]
    assert first.commune_id == a  # "dong kinh" sorts first
    assert (first.btxh, first.beneficiaries, first.choosing_non_cash) == (3, 3, 2)
    assert first.share_choosing_non_cash == pytest.approx(0.6667)
    assert (first.list_status, first.lines, first.paid, first.failed) == (
        "results_imported",
        3,
        2,
        1,
    )
    assert first.paid_non_cash == 1 and first.share_paid_non_cash == 0.5
    assert first.accounts_opened == 1 and first.has_atm
    assert first.campaign_people_reached == 1  # the credited notice, counted as reach here
    assert report.province.beneficiaries == 4 and report.communes_with_atm == 1
    assert report.province.choosing_non_cash == 3
    table = report_file(report, "csv")
    parsed = list(csv.DictReader(io.StringIO(table.content.decode("utf-8-sig"))))
    assert len(parsed) == 4 and parsed[-1]["commune"] == "TOTAL"
    assert report_file(report, "xlsx").content[:2] == b"PK"


async def test_report_is_submitted_once(db: Database) -> None:
    async with db.sessions() as session, session.begin():
        place = await small_province(session)
        commune = place.communes[0].id
        await submit_report(session, commune_id=commune, period="2026-03", actor="o", tz=TZ)
        with pytest.raises(Conflict):
            await submit_report(session, commune_id=commune, period="2026-03", actor="o", tz=TZ)
        report = await monthly_report(session, period="2026-03", tz=TZ, communes=[commune])
    assert report.communes[0].report_submitted


async def test_officers_are_reminded_from_the_tenth_once(db: Database) -> None:
    async with db.sessions() as session, session.begin():
        place = await small_province(session)
        a = place.communes[0].id
        await add_contact(session, officer="canbo.a", address="tel:+84912345678", commune_id=a)
        with pytest.raises(Invalid):
            await add_contact(session, officer="canbo.a", address="fax:1", commune_id=a)
        await submit_report(session, commune_id=a, period="2026-03", actor="canbo.a", tz=TZ)
        assert await remind_officers(session, today=date(2026, 3, 9), settings=db.settings) == 0
        assert (
            await remind_officers(session, today=date(2026, 3, 10), now=NOW, settings=db.settings)
            == 5
        )
        assert (
            await remind_officers(session, today=date(2026, 3, 11), now=NOW, settings=db.settings)
            == 0
        )
        recorded = list(await session.scalars(reminders_query(commune_id=a)))
        sent = await messages(session)
    assert [(r.kind, r.queued) for r in recorded] == [("payment_list", 1)]
    assert len(sent) == 1 and sent[0].key == "officer.payment_list_due"
    assert sent[0].params == {
        "commune": "Phường Đông Kinh",
        "period": "2026-03",
        "due": "2026-03-15",
    }
