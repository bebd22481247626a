"""Monthly payment lists: generation with its change list, totals, approval, export, results."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from sqlalchemy import func, select

from models.audit.tables import AuditEntry
from models.errors import Conflict, Invalid
from models.paylists.results import import_results
from models.paylists.service import (
    deadline,
    generate_list,
    generate_lists,
    lines_query,
    removals_query,
    totals,
)
from models.paylists.tables import PaymentLine
from models.paylists.workflow import (
    approve_list,
    close_list,
    export_list,
    reconcile_list,
    return_list,
    submit_list,
)
from models.people.tables import Beneficiary
from models.vocab import BeneficiaryStatus, Category, ChoiceStatus, PaymentMethod
from tests.admin_payments.helpers import (
    NOW,
    PROTECTOR,
    beneficiary,
    choose,
    messages,
    set_status,
    small_province,
)
from tests.conftest import Database

BANK, CASH = PaymentMethod.BANK_ACCOUNT, PaymentMethod.CASH_POINT


async def _registry(db: Database) -> tuple[int, dict[str, int]]:
    """Commune A with five beneficiaries of every kind; ids by nickname."""
    async with db.sessions() as session, session.begin():
        place = await small_province(session)
        commune = place.communes[0].id
        ids = {}
        for number, (nick, method, status) in enumerate(
            [
                ("bank", BANK, ChoiceStatus.ACTIVE),
                ("cash", CASH, ChoiceStatus.REQUESTED),
                ("asked", BANK, ChoiceStatus.REQUESTED),  # account not opened yet: cash
                ("none", None, ChoiceStatus.ACTIVE),
                ("ncc", BANK, ChoiceStatus.OPENED),
            ],
            start=1,
        ):
            category = Category.NCC if nick == "ncc" else Category.BTXH
            amount = 3_012_000 if nick == "ncc" else 540_000
            found = await beneficiary(
                session,
                commune_id=commune,
                number=number,
                method=method,
                status=status,
                category=category,
                amount=amount,
            )
            ids[nick] = found.id
        await beneficiary(session, commune_id=place.communes[1].id, number=99, method=BANK)
    return commune, ids


async def _line(db: Database, list_id: int, beneficiary_id: int) -> PaymentLine:
    async with db.sessions() as session:
        query = lines_query(list_id).where(PaymentLine.beneficiary_id == beneficiary_id)
        return (await session.scalars(query)).one()


async def test_first_month_freezes_payees_and_counts_totals(db: Database) -> None:
    commune, ids = await _registry(db)
    async with db.sessions() as session, session.begin():
        made = await generate_list(session, commune_id=commune, period="2026-02", actor="maker")
        figures = await totals(session, made.id)
    assert figures.count == 5
    assert figures.amount == 4 * 540_000 + 3_012_000
    assert figures.by_method == {
        "bank_account": {"count": 2, "amount": 540_000 + 3_012_000},
        "cash_point": {"count": 3, "amount": 3 * 540_000},
    }
    assert figures.changes == {"new": 5, "adjusted": 0, "unchanged": 0, "removed": 0}
    asked = await _line(db, made.id, ids["asked"])
    assert asked.method == "cash_point" and asked.account_enc is None
    bank = await _line(db, made.id, ids["bank"])
    assert bank.provider_code == "AGRIBANK" and bank.account_masked
    assert PROTECTOR.decrypt(bank.account_enc or b"") == "888800000001"


async def test_change_list_against_the_month_before(db: Database) -> None:
    commune, ids = await _registry(db)
    async with db.sessions() as session, session.begin():
        await generate_list(session, commune_id=commune, period="2026-02", actor="maker")
        (await session.get(Beneficiary, ids["bank"])).monthly_amount = 600_000  # type: ignore[union-attr]
        await choose(session, ids["cash"], BANK, number=2)
        await set_status(session, ids["none"], BeneficiaryStatus.DECEASED)
        await set_status(session, ids["ncc"], BeneficiaryStatus.SUSPENDED)
        newcomer = await beneficiary(session, commune_id=commune, number=6, method=CASH)
        march = await generate_list(session, commune_id=commune, period="2026-03", actor="maker")
        figures = await totals(session, march.id)
        removed = {
            r.beneficiary_id: r.reason for r in await session.scalars(removals_query(march.id))
        }
        changes = {
            line.beneficiary_id: (line.change, line.changed_fields)
            for line in await session.scalars(lines_query(march.id))
        }
    assert figures.changes == {"new": 1, "adjusted": 2, "unchanged": 1, "removed": 2}
    assert changes == {
        ids["bank"]: ("adjusted", "amount"),
        ids["cash"]: ("adjusted", "method"),
        ids["asked"]: ("unchanged", None),
        newcomer.id: ("new", None),
    }
    assert removed == {ids["none"]: "deceased", ids["ncc"]: "suspended"}


async def test_generating_the_province_skips_locked_lists(db: Database) -> None:
    commune, _ = await _registry(db)
    async with db.sessions() as session, session.begin():
        first = await generate_list(session, commune_id=commune, period="2026-02", actor="maker")
        await submit_list(session, list_id=first.id, actor="maker")
        result = await generate_lists(session, period="2026-02", actor="maker")
        with pytest.raises(Conflict):
            await generate_list(session, commune_id=commune, period="2026-02", actor="maker")
    assert result.locked == [commune]
    assert len(result.lists) == 2  # the two other communes, one of them empty


async def test_period_must_be_a_month(db: Database) -> None:
    commune, _ = await _registry(db)
    async with db.sessions() as session, session.begin():
        with pytest.raises(Invalid):
            await generate_list(session, commune_id=commune, period="2026-13", actor="maker")


async def _approved(db: Database, commune: int) -> int:
    async with db.sessions() as session, session.begin():
        made = await generate_list(session, commune_id=commune, period="2026-03", actor="maker")
        await submit_list(session, list_id=made.id, actor="maker", now=NOW)
        with pytest.raises(Conflict) as same:
            await approve_list(session, list_id=made.id, actor="maker", now=NOW)
        assert same.value.key == "admin.pay.same_officer"
        await approve_list(
            session,
            list_id=made.id,
            actor="checker",
            now=NOW,
            cash_date=date(2026, 3, 10),
            cash_place="UBND phường Đông Kinh",
            settings=db.settings,
        )
        return made.id


async def test_return_sends_a_list_back_to_draft(db: Database) -> None:
    commune, _ = await _registry(db)
    async with db.sessions() as session, session.begin():
        made = await generate_list(session, commune_id=commune, period="2026-03", actor="maker")
        await submit_list(session, list_id=made.id, actor="maker")
        back = await return_list(session, list_id=made.id, actor="checker", reason="Sai số tiền")
    assert back.status == "draft" and back.returned_reason == "Sai số tiền"


async def test_approval_queues_cash_notices_and_export_has_full_numbers(db: Database) -> None:
    commune, _ = await _registry(db)
    list_id = await _approved(db, commune)
    async with db.sessions() as session, session.begin():
        cash = await messages(session, "notice.cash_payout")
        exported = await export_list(
            session,
            list_id=list_id,
            actor="checker",
            protector=PROTECTOR,
            now=NOW,
            settings=db.settings,
        )
        audits = await session.scalars(select(AuditEntry).where(AuditEntry.action == "export"))
        assert len(audits.all()) == 1
    assert len(cash) == 3
    assert cash[0].params["place"] == "UBND phường Đông Kinh"
    rows = list(csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert len(rows) == 5 and exported.lines == 5
    accounts = {r["account_number"] for r in rows if r["method"] == "bank_account"}
    assert accounts == {"888800000001", "888800000005"}
    assert rows[0]["cccd"] == "020041000001"


def _results_file(rows: list[tuple[object, ...]]) -> bytes:
    lines = ["line_id,result,reason,paid_on"] + [",".join(map(str, r)) for r in rows]
    return ("\n".join(lines) + "\n").encode()  # as files are written: a break ends each row


async def _exported(db: Database) -> tuple[int, list[PaymentLine]]:
    commune, _ = await _registry(db)
    list_id = await _approved(db, commune)
    async with db.sessions() as session, session.begin():
        await export_list(
            session,
            list_id=list_id,
            actor="checker",
            protector=PROTECTOR,
            now=NOW,
            settings=db.settings,
        )
        lines = list(await session.scalars(lines_query(list_id)))
    return list_id, lines


async def _import(db: Database, data: bytes, name: str = "results.csv"):  # type: ignore[no-untyped-def]
    async with db.sessions() as session, session.begin():
        return await import_results(
            session,
            protector=PROTECTOR,
            data=data,
            filename=name,
            actor="key:bank",
            now=NOW,
            settings=db.settings,
        )


async def test_results_twice_change_nothing_and_a_cut_off_file_reports_the_rest(
    db: Database,
) -> None:
    list_id, lines = await _exported(db)
    bank = [line for line in lines if line.method == "bank_account"]
    rows = [
        (bank[0].id, "paid", "", "05/03/2026"),
        (bank[1].id, "that bai", "Tài khoản đã đóng", ""),
    ]
    rows += [(line.id, "Đã chi", "", "") for line in lines if line.method != "bank_account"]
    cut = await _import(db, _results_file(rows[:2]))
    assert (cut.applied, cut.unchanged, cut.rejected) == (2, 0, 0)
    assert cut.lists[0].pending == 3 and len(cut.lists[0].pending_line_ids) == 3
    full = await _import(db, _results_file(rows))
    assert (full.applied, full.unchanged) == (3, 2)
    async with db.sessions() as session:
        before = len(await messages(session))
    again = await _import(db, _results_file(rows))
    assert (again.applied, again.unchanged, again.lists[0].pending) == (0, 5, 0)
    async with db.sessions() as session:
        assert len(await messages(session)) == before
        credited = await messages(session, "notice.payment_credited")
        failed = await messages(session, "notice.payment_failed")
        figures = await totals(session, list_id)
    assert len(credited) == 1 and credited[0].params["account"].endswith("0001")
    assert failed[0].params["reason"] == "payment.reason.account_closed"
    assert failed[0].params["action"] == "payment.action.visit_commune"
    assert figures.results["paid"]["count"] == 4 and figures.results["failed"]["count"] == 1
    async with db.sessions() as session, session.begin():
        await reconcile_list(session, list_id=list_id, actor="checker")
        closed = await close_list(session, list_id=list_id, actor="checker")
    assert closed.status == "closed"


async def test_results_by_cccd_and_period_and_bad_rows(db: Database) -> None:
    list_id, _ = await _exported(db)
    data = (
        "Số CCCD;Kỳ;Kết quả;Lý do\n"
        "020041000001;2026-03;Thành công;\n"
        "020041000777;2026-03;Thành công;\n"
        "020041000002;2026-03;không rõ;\n"
    ).encode()
    report = await _import(db, data)
    assert report.applied == 1 and report.rejected == 2
    assert sorted(p.key for p in report.problems) == [
        "admin.pay.result.line_unknown",
        "admin.pay.result.unknown",
    ]
    async with db.sessions() as session, session.begin():
        with pytest.raises(Conflict):
            await reconcile_list(session, list_id=list_id, actor="checker")


async def test_results_outside_the_payers_communes_are_unknown(db: Database) -> None:
    _, lines = await _exported(db)
    async with db.sessions() as session, session.begin():
        report = await import_results(
            session,
            protector=PROTECTOR,
            data=_results_file([(lines[0].id, "paid", "", "")]),
            filename="r.csv",
            actor="key:bank",
            communes=[-1],
            now=NOW,
            settings=db.settings,
        )
        paid = await session.scalar(select(func.count()).where(PaymentLine.result == "paid"))
    assert report.applied == 0 and report.problems[0].key == "admin.pay.result.line_unknown"
    assert paid == 0


async def test_deadline_warns_from_the_tenth_until_the_payer_has_it(db: Database) -> None:
    commune, _ = await _registry(db)
    async with db.sessions() as session, session.begin():
        made = await generate_list(session, commune_id=commune, period="2026-03", actor="maker")
    early, late = deadline(made, date(2026, 3, 3)), deadline(made, date(2026, 3, 11))
    assert (early.days_left, early.warning) == (12, False)
    assert (late.days_left, late.warning) == (4, True)


async def test_a_new_cash_date_tells_the_cash_payees_again(db: Database) -> None:
    commune, _ = await _registry(db)
    list_id = await _approved(db, commune)
    async with db.sessions() as session, session.begin():
        for day in (date(2026, 3, 10), date(2026, 3, 12)):  # the first repeats the approval's
            await export_list(
                session,
                list_id=list_id,
                actor="checker",
                protector=PROTECTOR,
                now=NOW,
                cash_date=day,
                cash_place="UBND phường Đông Kinh",
                settings=db.settings,
            )
        cash = await messages(session, "notice.cash_payout")
    assert sorted(m.params["date"] for m in cash) == ["2026-03-10"] * 3 + ["2026-03-12"] * 3


async def test_the_bot_status_reads_payments_from_the_lists(db: Database) -> None:
    """What a person sees with TT: their lines of lists the payer has, with the bank's result."""
    from models.conversations.status import recent_payments

    _, lines = await _exported(db)
    bank = [line for line in lines if line.method == "bank_account"]
    await _import(db, _results_file([(bank[0].id, "paid", "", "05/03/2026")]))
    async with db.sessions() as session:
        paid = await recent_payments(session, bank[0].beneficiary_id)
        waiting = await recent_payments(session, bank[1].beneficiary_id)
    assert [(p.status, p.amount, p.paid_on) for p in paid] == [
        ("paid", bank[0].amount, date(2026, 3, 5))
    ]
    assert [p.status for p in waiting] == ["pending"]
