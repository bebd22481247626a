"""The payment work through the API: a month's list from draft to closed, bad uploads,
campaigns, sessions, service points and reports."""

from __future__ import annotations

import csv
import io

from models.audit.tables import AuditEntry
from models.paylists.tables import PaymentLine, PaymentResultImport
from models.places.tables import ServicePoint
from models.sheets import write_xlsx
from models.vocab import ChoiceStatus, PaymentMethod
from tests.admin_payments.api_support import App, running
from tests.admin_payments.helpers import beneficiary, crowd
from tests.conftest import Database

BANK, CASH = PaymentMethod.BANK_ACCOUNT, PaymentMethod.CASH_POINT


async def _people(app: App) -> None:
    async with app.session() as session, session.begin():
        await beneficiary(session, commune_id=app.a.id, number=1, method=BANK)
        await beneficiary(session, commune_id=app.a.id, number=2, method=CASH)
        await beneficiary(
            session, commune_id=app.a.id, number=3, method=BANK, status=ChoiceStatus.REQUESTED
        )


def _problem(response, status: int, code: str | None = None) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    if code is not None:
        assert response.json()["code"] == code


async def test_a_month_from_draft_to_closed(db: Database) -> None:
    async with running(db) as app:
        await _people(app)
        made = await app.call(
            "commune_officer",
            "POST",
            "/payment-lists",
            json={"period": "2026-03", "commune_id": app.a.id},
        )
        assert made.status_code == 201, made.text
        body = made.json()
        assert body["totals"]["count"] == 3 and body["totals"]["changes"]["new"] == 3
        assert {"days_left", "warning", "due"} <= set(body)
        list_id = body["id"]
        assert (await app.call("payer", "GET", f"/payment-lists/{list_id}")).status_code == 404
        await app.call("commune_officer", "POST", f"/payment-lists/{list_id}/submit")
        same = await app.call(
            "commune_officer", "POST", f"/payment-lists/{list_id}/approve", json={}
        )
        _problem(same, 409, "admin.pay.same_officer")
        approved = await app.call(
            "checker",
            "POST",
            f"/payment-lists/{list_id}/approve",
            json={"cash_date": "2099-03-10", "cash_place": "UBND"},
        )
        assert approved.json()["status"] == "approved"
        lines = (await app.call("payer", "GET", f"/payment-lists/{list_id}/lines")).json()
        assert all("8888" not in (line["account"] or "") for line in lines["items"])
        exported = await app.call(
            "payer", "POST", f"/payment-lists/{list_id}/export", json={"format": "csv"}
        )
        assert (
            exported.status_code == 200 and "attachment" in exported.headers["content-disposition"]
        )
        rows = list(csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig"))))
        assert {r["account_number"] for r in rows} >= {"888800000001"}
        for row in rows:
            row["result"] = "paid"
        back = io.StringIO()
        writer = csv.DictWriter(back, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
        files = {"file": ("results.csv", back.getvalue().encode(), "text/csv")}
        first = await app.call("payer", "POST", "/payment-results", files=files)
        again = await app.call("payer", "POST", "/payment-results", files=files)
        assert first.json()["applied"] == 3 and first.json()["lists"][0]["pending"] == 0
        assert again.json()["applied"] == 0 and again.json()["unchanged"] == 3
        for step, status in (("reconcile", "reconciled"), ("close", "closed")):
            done = await app.call("province", "POST", f"/payment-lists/{list_id}/{step}")
            assert done.json()["status"] == status
        listed = await app.call("auditor", "GET", "/payment-lists?period=2026-03&status=closed")
        assert listed.json()["total"] == 1
        exports = await app.count(AuditEntry, AuditEntry.action == "export")
        assert exports == 1


async def _exported_rows(app: App) -> list[dict[str, str]]:
    """An exported list of three lines, as the payer downloads it (our export's columns)."""
    await _people(app)
    made = await app.call(
        "commune_officer",
        "POST",
        "/payment-lists",
        json={"period": "2026-03", "commune_id": app.a.id},
    )
    list_id = made.json()["id"]
    await app.call("commune_officer", "POST", f"/payment-lists/{list_id}/submit")
    await app.call("checker", "POST", f"/payment-lists/{list_id}/approve", json={})
    exported = await app.call(
        "payer", "POST", f"/payment-lists/{list_id}/export", json={"format": "csv"}
    )
    return list(csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig"))))


async def test_a_cut_off_results_upload_names_the_cut_line_and_the_whole_one_completes_it(
    db: Database,
) -> None:
    async with running(db) as app:
        rows = await _exported_rows(app)
        for row in rows:  # the bank fills in our export's last columns: result, reason, paid_on
            row.update(result="Đã chi", paid_on="05/03/2026")
        back = io.StringIO()
        writer = csv.DictWriter(back, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
        whole = back.getvalue().encode()
        cut = whole[: whole.rindex(b"/2026")]  # inside the last row's date
        sent = await app.call("payer", "POST", "/payment-results", files={"file": ("r.csv", cut)})
        report = sent.json()
        assert (report["applied"], report["rejected"]) == (2, 1)
        assert [(p["line"], p["code"]) for p in report["problems"]] == [
            (4, "admin.pay.result.cut_off")
        ]
        assert report["problems"][0]["message"].startswith("Dòng 4 có vẻ bị cắt cụt")
        assert report["lists"][0]["pending_line_ids"] == [int(rows[-1]["line_id"])]
        assert await app.count(PaymentLine, PaymentLine.result == "paid") == 2
        full = await app.call("payer", "POST", "/payment-results", files={"file": ("r.csv", whole)})
        assert (full.json()["applied"], full.json()["unchanged"]) == (1, 2)
        assert full.json()["lists"][0]["pending"] == 0


async def test_a_cut_off_spreadsheet_is_refused_whole_as_a_problem(db: Database) -> None:
    async with running(db) as app:
        rows = await _exported_rows(app)
        for row in rows:
            row.update(result="paid")
        book = write_xlsx(list(rows[0]), [list(r.values()) for r in rows], title="ket qua")
        files = {"file": ("results.xlsx", book[: len(book) // 2])}
        refused = await app.call("payer", "POST", "/payment-results", files=files)
        _problem(refused, 422, "admin.pay.result.file_cut_off")
        assert await app.count(PaymentResultImport) == 0
        assert await app.count(PaymentLine, PaymentLine.result == "paid") == 0
        files = {"file": ("results.xlsx", book)}
        whole = await app.call("payer", "POST", "/payment-results", files=files)
        assert whole.json()["applied"] == 3


async def test_bad_result_uploads_are_problems_and_write_nothing(db: Database) -> None:
    async with running(db) as app:
        before = await app.audits()
        cases = [
            ("results.xlsx", b"\x89PNG not a workbook", "import.not_spreadsheet"),
            ("results.csv", b"name,amount\nA,1\n", "import.missing_columns"),
            ("results.csv", b"", "import.empty"),
            ("results.pdf", b"%PDF-1.4", "import.unknown_format"),
        ]
        for name, data, code in cases:
            response = await app.call(
                "payer", "POST", "/payment-results", files={"file": (name, data)}
            )
            _problem(response, 422, code)
        assert await app.count(PaymentResultImport) == 0
        assert await app.audits() == before


async def test_service_point_import_dry_run_then_all_or_nothing(db: Database) -> None:
    async with running(db) as app:
        good = "Loại,Tên,Mã xã,Địa chỉ\nATM,ATM Đông Kinh,05977,Số 1\n"
        bad = good + "ATM,ATM khác xã,06001,Số 2\n"  # commune B: outside the officer's reach
        dry = await app.call(
            "commune_officer",
            "POST",
            "/service-points/import",
            files={"file": ("p.csv", good.encode())},
        )
        assert dry.json()["created"] == 1 and await app.count(ServicePoint) == 0
        refused = await app.call(
            "commune_officer",
            "POST",
            "/service-points/import",
            files={"file": ("p.csv", bad.encode())},
            data={"dry_run": "false"},
        )
        _problem(refused, 422, "admin.import.rows_invalid")
        assert await app.count(ServicePoint) == 0
        done = await app.call(
            "commune_officer",
            "POST",
            "/service-points/import",
            files={"file": ("p.csv", good.encode())},
            data={"dry_run": "false"},
        )
        assert done.json()["created"] == 1 and await app.count(ServicePoint) == 1
        missing = await app.call(
            "commune_officer", "GET", "/service-points/coverage?without_atm=true"
        )
        assert missing.json()["items"] == []  # A has its ATM now, and A is all the officer sees


async def test_campaign_through_the_api(db: Database) -> None:
    async with running(db) as app:
        async with app.session() as session, session.begin():
            await crowd(session, app.a.id, 40, telegram_every=4)
        made = await app.call(
            "commune_officer",
            "POST",
            "/campaigns",
            json={
                "title": "Tài khoản",
                "text_vi": "Mời Ông/Bà mở tài khoản.",
                "requires_approval": True,
            },
        )
        assert made.status_code == 201 and made.json()["commune_ids"] == [app.a.id]
        campaign = made.json()["id"]
        preview = (await app.call("auditor", "GET", f"/campaigns/{campaign}/preview")).json()
        assert preview["audience"] == 40 and preview["channels"]["telegram"] == 10
        assert preview["cost_vnd"] == 30 * preview["sms_segments"]["vi"] * 500
        _problem(
            await app.call("commune_officer", "POST", f"/campaigns/{campaign}/launch"),
            409,
            "admin.campaign.needs_approval",
        )
        await app.call("checker", "POST", f"/campaigns/{campaign}/approve")
        launched = await app.call("commune_officer", "POST", f"/campaigns/{campaign}/launch")
        assert launched.json()["queued_count"] == 40
        stats = (await app.call("auditor", "GET", f"/campaigns/{campaign}/stats")).json()
        assert stats["people"] == 40 and stats["queued"] == 40
        listed = await app.call("province", "GET", "/campaigns?status=running")
        assert listed.json()["total"] == 1


async def test_session_through_the_api(db: Database) -> None:
    async with running(db) as app:
        async with app.session() as session, session.begin():
            person = await beneficiary(
                session, commune_id=app.a.id, number=1, method=BANK, status=ChoiceStatus.REQUESTED
            )
        made = await app.call(
            "commune_officer",
            "POST",
            "/account-opening-sessions",
            json={
                "commune_id": app.a.id,
                "held_on": "2099-12-03",
                "start_time": "08:00",
                "end_time": "11:00",
                "place": "UBND",
                "documents": "CCCD",
                "bank_code": "AGRIBANK",
            },
        )
        session_id = made.json()["id"]
        invited = await app.call(
            "commune_officer", "POST", f"/account-opening-sessions/{session_id}/invitations"
        )
        assert invited.json() == {"added": 1, "invited": 1}
        bad = await app.call(
            "commune_officer",
            "PUT",
            f"/account-opening-sessions/{session_id}/attendees/{person.id}",
            json={"attended": True, "account": {"account_number": "12ab34cd"}},
        )
        _problem(bad, 422, "id.account.invalid")
        came = await app.call(
            "commune_officer",
            "PUT",
            f"/account-opening-sessions/{session_id}/attendees/{person.id}",
            json={"attended": True, "account": {"account_number": "123456789"}},
        )
        assert came.json()["account_opened"] is True
        read = (await app.call("auditor", "GET", f"/account-opening-sessions/{session_id}")).json()
        assert (read["invited"], read["came"], read["accounts_opened"]) == (1, 1, 1)


async def test_reports_in_three_formats_and_reminders(db: Database) -> None:
    async with running(db) as app:
        await _people(app)
        report = await app.call("province", "GET", "/reports/monthly?period=2026-03")
        assert report.status_code == 200
        body = report.json()
        assert body["communes_total"] == 3 and body["total"]["beneficiaries"] == 3
        mine = (await app.call("commune_officer", "GET", "/reports/monthly?period=2026-03")).json()
        assert [c["commune_id"] for c in mine["communes"]] == [app.a.id]
        for fmt, magic in (("csv", b"\xef\xbb\xbf"), ("xlsx", b"PK")):
            got = await app.call("auditor", "GET", f"/reports/monthly?period=2026-03&format={fmt}")
            assert got.content.startswith(magic)
        _problem(await app.call("auditor", "GET", "/reports/monthly?period=2026-3"), 422)
        submitted = await app.call(
            "commune_officer",
            "POST",
            "/reports/monthly/submit",
            json={"commune_id": app.a.id, "period": "2026-03"},
        )
        assert submitted.status_code == 201
        contact = await app.call(
            "commune_officer",
            "POST",
            "/officer-contacts",
            json={"address": "telegram:12345", "commune_id": app.a.id},
        )
        assert contact.json()["officer"] == "commune_officer"
        mine_only = await app.call("checker", "GET", "/officer-contacts")
        assert mine_only.json()["total"] == 0
        gone = await app.call("checker", "DELETE", f"/officer-contacts/{contact.json()['id']}")
        _problem(gone, 404, "admin.report.contact_not_found")
        reminders = await app.call("auditor", "GET", "/officer-reminders?period=2026-03")
        assert reminders.json()["total"] == 0


async def test_lines_filter_the_change_list(db: Database) -> None:
    async with running(db) as app:
        await _people(app)
        made = (
            await app.call(
                "commune_officer",
                "POST",
                "/payment-lists",
                json={"period": "2026-03", "commune_id": app.a.id},
            )
        ).json()
        new = await app.call(
            "auditor", "GET", f"/payment-lists/{made['id']}/lines?change=new&limit=2"
        )
        assert new.json()["total"] == 3 and len(new.json()["items"]) == 2
        assert await app.count(PaymentLine) == 3
