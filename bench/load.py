"""`python -m bench load`: the whole service under load, on PostgreSQL, loopback only.

Two `ansinh serve` processes take webhooks from Telegram, Zalo, Twilio and the SMS gateway
(really signed) from many concurrent senders, while one `ansinh worker` dispatches a large
campaign and the replies, and the paying bank uploads a results file through the admin API.
Fake providers run in their own processes and count what they receive. At the end the outbox
and the fakes are compared: nothing may be lost, nothing sent twice.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bench.common import console, fresh_database, make_engine, make_sessionmaker
from bench.load_services import Services
from bench.load_traffic import PROVIDERS, Traffic, drive, percentile
from bench.population import analyze, seed
from models.bulk import bulk_insert
from models.messaging.service import enqueue_campaign
from models.messaging.tables import InboundEvent, OutboxMessage
from models.officers.roles import Role
from models.officers.tables import Officer, OfficerArea
from models.officers.tokens import issue_access_token
from models.paylists.service import generate_list, lines_query
from models.paylists.tables import PaymentLine
from models.paylists.workflow import approve_list, export_list, submit_list
from models.payments.tables import PaymentMethodChoice
from models.people.tables import Beneficiary, Person
from models.places.loader import load_units
from models.places.service import list_communes
from models.protection import DataProtector
from models.settings import Settings

PERIOD = "2026-11"
DONE = ("sent", "delivered")
OPEN = ("pending", "sending")


@dataclass
class Options:
    """What to run: traffic, campaign and bank-file sizes."""

    seconds: float = 60.0
    senders: int = 500
    people: int = 100_000  # campaign recipients
    chats: int = 5_000  # distinct people writing on each channel
    payees: int = 2_000  # lines of the payment list the bank answers for
    drain: float = 30.0  # seconds given to the worker, after the traffic, for replies

    @property
    def limit(self) -> int:
        """The most requests a run may send, whatever its speed."""
        return int(self.senders * self.seconds * 20)


@dataclass
class BankUpload:
    """A commune officer's upload of the bank's results file, through the admin API."""

    rows: int = 0
    status: int = 0
    applied: int = 0
    seconds: float = 0.0


# --- preparing the database ---------------------------------------------------------------------
async def _payment_list(
    sessions: async_sessionmaker[AsyncSession], settings: Settings, payees: int
) -> tuple[bytes, str]:
    """An exported list of `payees` bank lines in one commune, its results file, an officer's
    token to upload it with."""
    protector = DataProtector.from_settings(settings)
    async with sessions() as session, session.begin():
        await load_units(session)
        commune = (await list_communes(session))[0].id
        await bulk_insert(session, Beneficiary, [_beneficiary(i, commune) for i in _ids(payees)])
        choices = [_choice(i, protector) for i in _ids(payees)]
        await bulk_insert(session, PaymentMethodChoice, choices)
        made = await generate_list(session, commune_id=commune, period=PERIOD, actor="maker")
        await submit_list(session, list_id=made.id, actor="maker")
        await approve_list(session, list_id=made.id, actor="checker", settings=settings)
        await export_list(
            session, list_id=made.id, actor="checker", protector=protector, settings=settings
        )
        line_ids = list(
            await session.scalars(lines_query(made.id).with_only_columns(PaymentLine.id))
        )
        token = await _officer_token(session, settings, commune)
    return _results_file(line_ids), token


async def _officer_token(session: AsyncSession, settings: Settings, commune: int) -> str:
    """A bearer token for a commune officer of `commune` (who never signs in with a password)."""
    officer = Officer(
        username="can-bo-xa", display_name="Cán bộ xã", password_hash="!",
        role=Role.COMMUNE_OFFICER.value,
    )  # fmt: skip
    session.add(officer)
    await session.flush()
    session.add(OfficerArea(officer_id=officer.id, area_id=commune))
    return issue_access_token(settings, officer_id=officer.id, role=officer.role).token


def _ids(count: int) -> range:
    return range(1, count + 1)


def _beneficiary(i: int, commune: int) -> dict[str, object]:
    now = datetime.now(UTC)
    return {
        "id": i, "person_id": i, "category": "BTXH", "commune_id": commune, "status": "active",
        "monthly_amount": 540_000, "created_at": now, "updated_at": now,
    }  # fmt: skip


def _choice(i: int, protector: DataProtector) -> dict[str, object]:
    account, now = f"{10**11 + i}", datetime.now(UTC)
    return {
        "beneficiary_id": i, "method": "bank_account", "provider_code": "AGRIBANK",
        "account_enc": protector.encrypt(account), "account_hash": protector.lookup_hash(account),
        "account_masked": f"******{account[-4:]}", "holder": "beneficiary", "status": "active",
        "source": "import", "confirmation_code": f"B{i:07d}", "created_at": now,
        "status_changed_at": now,
    }  # fmt: skip


def _results_file(line_ids: list[int]) -> bytes:
    """Paid for nine lines in ten, a closed account for the tenth."""
    rows = ["line_id,result,reason,paid_on"]
    for n, line_id in enumerate(line_ids):
        failed = n % 10 == 9
        rows.append(f"{line_id},{'that bai' if failed else 'da chi'},"
                    f"{'Tai khoan da dong' if failed else ''},05/11/2026")  # fmt: skip
    return ("\r\n".join(rows) + "\r\n").encode()


async def prepare(settings: Settings, options: Options) -> tuple[bytes, str]:
    """People with phones, a campaign to all of them, a payment list awaiting its results."""
    engine = make_engine(settings)
    sessions = make_sessionmaker(engine)
    try:
        await seed(sessions, options.people)
        results = await _payment_list(sessions, settings, options.payees)
        async with sessions() as session, session.begin():
            await enqueue_campaign(
                session, campaign_id=1, person_ids=select(Person.id), key="campaign.text",
                params={"text": "Từ tháng 12, trợ cấp được chuyển vào tài khoản của Ông/Bà."},
                settings=settings,
            )  # fmt: skip
        await analyze(sessions)
    finally:
        await engine.dispose()
    return results


# --- counting what happened ---------------------------------------------------------------------
@dataclass
class Ledger:
    """Each kind of outbound message, from the outbox and the providers' side."""

    statuses: dict[str, Counter[str]] = field(default_factory=dict)
    lost: Counter[str] = field(default_factory=Counter)
    duplicates: Counter[str] = field(default_factory=Counter)
    inbound_recorded: int = 0
    logged_errors: list[str] = field(default_factory=list)


async def account(settings: Settings, tallies: dict[str, Counter[str]]) -> Ledger:
    """Compare the outbox with what the fake providers received."""
    engine = make_engine(settings)
    try:
        async with make_sessionmaker(engine)() as session:
            rows = (await session.execute(select(*_COLUMNS))).all()
            inbound = await session.scalar(select(func.count()).select_from(InboundEvent))
    finally:
        await engine.dispose()
    ledger = Ledger(inbound_recorded=int(inbound or 0))
    sent_to: dict[str, Counter[str]] = {"telegram": Counter(), "zalo": Counter()}
    for row_id, kind, channel, address, status in rows:
        ledger.statuses.setdefault(kind, Counter())[status] += 1
        if status not in DONE:
            continue
        if channel == "sms" and tallies["sms"][str(row_id)] == 0:
            ledger.lost[kind] += 1  # recorded as sent, never reached the provider
        elif channel in sent_to:
            sent_to[channel][address.split(":", 1)[1]] += 1
    ledger.duplicates["sms"] = sum(n - 1 for n in tallies["sms"].values() if n > 1)
    for channel, recorded in sent_to.items():
        received = tallies[channel]
        for chat in set(recorded) | set(received):
            ledger.duplicates[channel] += max(0, received[chat] - recorded[chat])
            ledger.lost["reply"] += max(0, recorded[chat] - received[chat])
    return ledger


_COLUMNS = (
    OutboxMessage.id,
    OutboxMessage.message_class,
    OutboxMessage.channel,
    OutboxMessage.address,
    OutboxMessage.status,
)


# --- the run ------------------------------------------------------------------------------------
async def _upload(server: str, data: bytes, token: str, after: float) -> BankUpload:
    """The commune officer uploads the bank's results file `after` seconds into the traffic."""
    await asyncio.sleep(after)
    upload = BankUpload(rows=data.count(b"\n") - 1)
    began = time.perf_counter()
    async with httpx.AsyncClient(timeout=300) as client:
        response = await client.post(
            f"{server}/api/v1/payment-results",
            headers={"Authorization": f"Bearer {token}"},
            files={"file": ("ket-qua-11-2026.csv", data, "text/csv")},
        )
    upload.seconds, upload.status = time.perf_counter() - began, response.status_code
    if response.status_code == 200:
        upload.applied = int(response.json()["applied"])
    return upload


async def _wait_for_replies(settings: Settings, seconds: float) -> None:
    """Give the worker up to `seconds` to send the replies and notices still open."""
    engine = make_engine(settings)
    deadline = time.monotonic() + seconds
    query = select(func.count()).where(
        OutboxMessage.status.in_(OPEN), OutboxMessage.message_class != "campaign"
    )
    try:
        while time.monotonic() < deadline:
            async with make_sessionmaker(engine)() as session:
                if not await session.scalar(query):
                    return
            await asyncio.sleep(1.0)
    finally:
        await engine.dispose()


async def run(options: Options) -> None:
    """Prepare, start every process, drive the traffic, stop, count, print."""
    services = Services(Path(tempfile.mkdtemp(prefix="ansinh-load-")))  # kept: the logs
    async with fresh_database("postgresql") as plain:
        console.print(f"preparing {options.people:,} people and a campaign to each…")
        # every hour is a sending hour, in the processes as in the campaign queued here
        hours = {"campaign_hours": "00:00-00:00", "notice_hours": "00:00-00:00"}
        settings = plain.model_copy(update=hours)
        data, token = await prepare(settings, options)
        try:
            services.start_fakes()
            env = services.env(plain.database_url, plain.data_key.get_secret_value())
            services.start_servers(env)
            services.start_worker(env)
            console.print(f"driving {options.senders} senders for {options.seconds:.0f} s…")
            load_before = os.getloadavg()[0]
            traffic, upload = await asyncio.gather(
                drive(services.servers, senders=options.senders, seconds=options.seconds,
                      limit=options.limit, chats=options.chats),
                _upload(services.servers[0], data, token, after=options.seconds / 3),
            )  # fmt: skip
            load_after = os.getloadavg()[0]
            await _wait_for_replies(settings, options.drain)
            services.stop_worker()
            ledger = await account(settings, services.tallies())
        finally:
            services.stop()
        ledger.logged_errors = services.logged_errors()
    report(options, traffic, upload, ledger, (load_before, load_after))
    console.print(f"the processes' logs: {services.logs}")


# --- the report ---------------------------------------------------------------------------------
def _traffic_rows(traffic: Traffic) -> list[tuple[str, str, str]]:
    everything = [t for values in traffic.latencies.values() for t in values]
    rows = [
        ("webhook requests", f"{traffic.count:,}", ""),
        ("requests/s", f"{traffic.count / traffic.seconds:,.1f}", ""),
        ("latency p50 / p99 (ms)", _ms(everything), ""),
        ("errors (not 200)", f"{traffic.errors():,} ({traffic.error_kinds()})", "0"),
    ]
    for provider in PROVIDERS:
        values = traffic.latencies.get(provider, [])
        figures = f"{len(values):,}, {traffic.errors(provider)}, {_ms(values)}"
        rows.append((f"  {provider}: requests, errors, p50 / p99 ms", figures, ""))
    return rows


def _ms(values: list[float]) -> str:
    return f"{percentile(values, 0.5) * 1000:,.0f} / {percentile(values, 0.99) * 1000:,.0f}"


def _outbox_rows(traffic: Traffic, upload: BankUpload, ledger: Ledger) -> list[tuple[str, ...]]:
    accepted = sum(traffic.accepted(p) for p in PROVIDERS)
    rows = [
        # a request the client gave up on may still be taken in: never fewer recorded
        ("inbound answered 200 / recorded", f"{accepted:,} / {ledger.inbound_recorded:,}", "≤"),
        ("bank file: rows, applied, HTTP status, seconds",
         f"{upload.rows:,}, {upload.applied:,}, {upload.status}, {upload.seconds:.1f}", ""),
    ]  # fmt: skip
    for kind in ("campaign", "reply", "notice"):
        seen = ledger.statuses.get(kind, Counter())
        done = sum(seen[s] for s in DONE)
        other = {s: n for s, n in seen.items() if s not in (*DONE, "pending")}
        figures = f"{sum(seen.values()):,}, {done:,}, {seen['pending']:,}, {other or '-'}"
        rows.append((f"{kind}: queued, sent, pending, other", figures, ""))
    rows.append(("messages lost", f"{sum(ledger.lost.values()):,}", "0"))
    rows.append(("duplicates (provider side)", f"{sum(ledger.duplicates.values()):,}", "0"))
    rows.append(("errors in the ansinh processes' logs", f"{len(ledger.logged_errors):,}", "0"))
    return rows


def report(
    options: Options,
    traffic: Traffic,
    upload: BankUpload,
    ledger: Ledger,
    load: tuple[float, float],
) -> None:
    """Print the figures as a table and as Markdown rows for docs/reliability.md."""
    from rich.table import Table

    machine = ("machine load (1-min average) at start / end", f"{load[0]:.1f} / {load[1]:.1f}", "")
    rows = [machine, *_traffic_rows(traffic), *_outbox_rows(traffic, upload, ledger)]
    title = (f"Load: {options.senders} senders, {options.seconds:.0f} s, "
             f"campaign of {options.people:,}, PostgreSQL")  # fmt: skip
    table = Table(title=title)
    for column in ("measure", "value", "goal"):
        table.add_column(column)
    for row in rows:
        table.add_row(*row)
    console.print(table)
    console.print("| measure | value | goal |\n| --- | --- | --- |")
    for name, value, goal in rows:
        console.print(f"| {name.strip()} | {value} | {goal} |")
    for line in ledger.logged_errors[:5]:
        console.print(line[:300], style="red", markup=False, highlight=False)
