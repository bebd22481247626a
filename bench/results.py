"""The bank's results file for a payment list of 2,000 and 20,000 bank lines, imported through
`import_results`, next to the plain SQL writing the same rows:

- baseline: one executemany UPDATE of the lines' results, then one executemany INSERT of the
  same notices (address, channel and locale already known, no routing, no idempotency check);
- the import: reading the CSV, finding the lines, checking them, applying the results and
  queueing one notice per payee (routed, consent checked, idempotency key kept);
- the same file again: nothing changes, nobody is told twice.

Each step runs in its own transaction (commit included). CPU is this process (Python, the
driver, and SQLite itself) and, on PostgreSQL, the server process of the connection.
"""

from __future__ import annotations

import os
import time
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bench.common import Figure, Timer, fresh_database, make_engine, make_sessionmaker
from bench.population import analyze, backend_pid, checkpoint, phone, process_cpu, seed
from models.bulk import bulk_insert
from models.messaging.tables import OutboxMessage
from models.paylists.results import import_results
from models.paylists.service import generate_list, lines_query
from models.paylists.tables import PaymentLine, PaymentResultImport
from models.paylists.workflow import approve_list, export_list, submit_list
from models.payments.tables import PaymentMethodChoice
from models.people.tables import Beneficiary
from models.places.loader import load_units
from models.places.service import list_communes
from models.protection import DataProtector
from models.settings import Settings

PERIOD = "2026-11"
NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)  # 10:00 in Lạng Sơn: notices go at once
PAID_ON = date(2026, 11, 5)
AMOUNT = 540_000
TELEGRAM_EVERY, WITHDRAWN_EVERY = 5, 50  # some prefer Telegram, some withdrew their consent


def _beneficiary(i: int, commune: int) -> dict[str, Any]:
    return {
        "id": i, "person_id": i, "category": "BTXH", "commune_id": commune, "status": "active",
        "monthly_amount": AMOUNT, "created_at": NOW, "updated_at": NOW,
    }  # fmt: skip


def _choice(i: int, protector: DataProtector) -> dict[str, Any]:
    account = f"{10**11 + i}"
    return {
        "beneficiary_id": i, "method": "bank_account", "provider_code": "AGRIBANK",
        "account_enc": protector.encrypt(account), "account_hash": protector.lookup_hash(account),
        "account_masked": f"******{account[-4:]}", "holder": "beneficiary", "status": "active",
        "source": "import", "confirmation_code": f"B{i:07d}", "created_at": NOW,
        "status_changed_at": NOW,
    }  # fmt: skip


def _failed(n: int) -> bool:
    return n % 10 == 9


def results_file(line_ids: list[int]) -> bytes:
    """The bank's CSV: paid for nine lines in ten, a closed account for the tenth."""
    rows = ["line_id,result,reason,paid_on,amount"]
    for n, line_id in enumerate(line_ids):
        if _failed(n):
            rows.append(f"{line_id},Thất bại,Tài khoản đã đóng,,{AMOUNT}")
        else:
            rows.append(f"{line_id},Đã chi,,{PAID_ON:%d/%m/%Y},{AMOUNT}")
    return ("\r\n".join(rows) + "\r\n").encode()


async def _exported(
    sessions: async_sessionmaker[AsyncSession], settings: Settings, count: int
) -> list[tuple[int, int]]:
    """An exported list of `count` bank lines in one commune: (line id, person id) each."""
    protector = DataProtector.from_settings(settings)
    async with sessions() as session, session.begin():
        await load_units(session)
        commune = (await list_communes(session))[0].id
        ids = range(1, count + 1)
        await bulk_insert(session, Beneficiary, [_beneficiary(i, commune) for i in ids])
        await bulk_insert(session, PaymentMethodChoice, [_choice(i, protector) for i in ids])
        made = await generate_list(session, commune_id=commune, period=PERIOD, actor="maker")
        await submit_list(session, list_id=made.id, actor="maker", now=NOW)
        await approve_list(session, list_id=made.id, actor="checker", now=NOW, settings=settings)
        await export_list(
            session, list_id=made.id, actor="checker", protector=protector, now=NOW,
            settings=settings,
        )  # fmt: skip
        query = lines_query(made.id).with_only_columns(PaymentLine.id, PaymentLine.person_id)
        lines = [(line_id, person_id) for line_id, person_id in await session.execute(query)]
    await analyze(sessions)
    return lines


async def _baseline(session: AsyncSession, lines: list[tuple[int, int]]) -> int:
    """The same writes as plain SQL: UPDATE every line, INSERT every notice (executemany)."""
    updates = [
        {
            "line_id": line_id,
            "result": "failed" if _failed(n) else "paid",
            "reason": "account_closed" if _failed(n) else None,
            "paid_on": None if _failed(n) else PAID_ON,
        }
        for n, (line_id, _) in enumerate(lines)
    ]
    statement = (
        update(PaymentLine.__table__)
        .where(PaymentLine.__table__.c.id == bindparam("line_id"))
        .values(
            result=bindparam("result"),
            failure_reason=bindparam("reason"),
            paid_on=bindparam("paid_on"),
            result_import_id=0,
            result_at=NOW,
        )
    )
    await session.execute(statement, updates)
    notices = [_notice(n, line_id, person_id) for n, (line_id, person_id) in enumerate(lines)]
    await session.execute(OutboxMessage.__table__.insert(), notices)
    return len(lines)


def _notice(n: int, line_id: int, person_id: int) -> dict[str, Any]:
    return {
        "person_id": person_id, "address": phone(person_id), "channel": "sms",
        "message_class": "notice", "priority": 1,
        "key": "notice.payment_failed" if _failed(n) else "notice.payment_credited",
        "params": {"period": PERIOD, "amount": AMOUNT}, "locale": "vi", "status": "pending",
        "next_attempt_at": NOW, "idempotency_key": f"payline:{line_id}:baseline",
    }  # fmt: skip


async def _reset(sessions: async_sessionmaker[AsyncSession]) -> None:
    """Every line pending again, no notice queued (not timed)."""
    async with sessions() as session, session.begin():
        await session.execute(
            update(PaymentLine).values(
                result="pending", failure_reason=None, paid_on=None, result_import_id=None,
                result_at=None,
            )
        )  # fmt: skip
        await session.execute(delete(OutboxMessage))
        await session.execute(delete(PaymentResultImport))
    await analyze(sessions)


class _Cpu:
    """CPU seconds of this process and of the session's PostgreSQL server process."""

    def __init__(self, pid: int | None) -> None:
        self.pid = pid
        self.mine = time.process_time()
        self.server = process_cpu(pid)

    def note(self, count: int) -> str:
        mine = (time.process_time() - self.mine) * 1000 / count
        server = process_cpu(self.pid)
        text = f"CPU ms/row: ours {mine:.2f}"
        if self.server is not None and server is not None:
            text += f", server {(server - self.server) * 1000 / count:.2f}"
        return text


async def _timed(sessions: async_sessionmaker[AsyncSession], step: Any) -> tuple[float, Any, str]:
    await checkpoint(sessions)
    async with sessions() as session:
        await session.begin()
        cpu = _Cpu(await backend_pid(session))
        with Timer() as timer:
            outcome = await step(session)
            await session.commit()
    return timer.seconds, outcome, cpu.note(max(1, getattr(outcome, "rows", outcome)))


async def _queued(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(OutboxMessage)) or 0)


async def _one(kind: str, count: int) -> list[Figure]:
    async with fresh_database(kind) as settings:
        engine = make_engine(settings)
        sessions = make_sessionmaker(engine)
        await seed(sessions, count, telegram_every=TELEGRAM_EVERY, withdrawn_every=WITHDRAWN_EVERY)
        lines = await _exported(sessions, settings, count)
        data = results_file([line_id for line_id, _ in lines])
        protector = DataProtector.from_settings(settings)

        async def importing(session: AsyncSession) -> Any:
            return await import_results(
                session, protector=protector, data=data, filename="ket-qua.csv",
                actor="key:bank", now=NOW, settings=settings,
            )  # fmt: skip

        base_seconds, _, base_cpu = await _timed(sessions, lambda s: _baseline(s, lines))
        await _reset(sessions)
        seconds, report, cpu = await _timed(sessions, importing)
        queued = await _queued(sessions)
        assert report.applied == count, (report.applied, report.problems[:3])
        again_seconds, again, again_cpu = await _timed(sessions, importing)
        assert again.unchanged == count and await _queued(sessions) == queued
        await engine.dispose()
    return [
        Figure("UPDATE + INSERT executemany (baseline)", kind, count, base_seconds, None, base_cpu),
        Figure("import_results", kind, count, seconds, base_seconds, f"{queued:,} notices; {cpu}"),
        Figure("the same file again", kind, count, again_seconds, base_seconds, again_cpu),
    ]


async def run(kinds: list[str], sizes: list[int]) -> list[Figure]:
    """Import a results file of each size on each database, the plain SQL beside it."""
    load = os.getloadavg()[0]
    print(f"machine load (1-min average) at start: {load:.1f}")
    figures = [figure for kind in kinds for size in sizes for figure in await _one(kind, size)]
    print(f"machine load (1-min average) at end: {os.getloadavg()[0]:.1f}")
    return figures


__all__ = ["results_file", "run"]
