"""Dialog fixtures: Lạng Sơn's units, a few beneficiaries, and a scripted chat with the engine."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.channels.base import InboundMessage
from bot.intake import take_in_all
from messages import reserved
from messages.render import Rendered
from models.conversations.tables import Conversation
from models.db import make_engine, make_sessionmaker
from models.messaging.tables import OutboxMessage
from models.people.service import add_contact_address, create_beneficiary, create_person
from models.places.service import add_service_point, load_organisations, load_units
from models.places.tables import Area
from models.protection import DataProtector
from models.vocab import Category
from scheduler.dispatcher import render_outbox
from tests.conftest import PG_URL, TEST_KEY, Database, make_test_settings

# A Tuesday morning in Vietnam (02:00 UTC = 09:00 ICT), before the 15th.
START = datetime(2026, 11, 10, 2, 0, tzinfo=UTC)
HOME = "Phường Đông Kinh"  # where the beneficiaries live
ATM_AT = (21.8537, 106.7615)  # Lạng Sơn city centre


@dataclass(frozen=True)
class Someone:
    """A beneficiary of the fixtures, with what they would type."""

    id: int
    person_id: int
    name: str
    cccd: str
    birth: str  # as typed, dd/mm/yyyy


@dataclass
class World:
    """The database and the people in it."""

    db: Database
    protector: DataProtector
    lam: Someone
    thao: Someone
    sau: Someone
    home_id: int


@dataclass(frozen=True)
class Out:
    """One reply as the person would see it."""

    key: str
    params: dict[str, Any]
    text: str
    rendered: Rendered
    row: OutboxMessage

    @property
    def options(self) -> list[str]:
        """The values of the reply's numbered options."""
        return [c["value"] for c in self.params.get("_choices", [])]


@dataclass
class Chat:
    """One address talking to the engine; every message is one transaction."""

    world: World
    address: str
    channel: str
    now: datetime = START
    step_by: timedelta = timedelta(seconds=20)
    events: int = 0
    sent: list[Out] = field(default_factory=list)

    async def send(
        self,
        text: str | None = None,
        *,
        phone: str | None = None,
        location: tuple[float, float] | None = None,
        after: timedelta | None = None,
    ) -> list[Out]:
        """Send a message; the replies to it (notices queued meanwhile are in `sent`)."""
        self.now += after if after is not None else self.step_by
        self.events += 1
        inbound = InboundMessage(
            channel=self.channel,
            event_id=f"{self.address}-{self.events}",
            address=self.address,
            text=text,
            shared_phone=phone,
            location=location,
        )
        db = self.world.db
        # the webhooks' path: recorded once, each step first without its savepoint
        intake = await take_in_all(
            db.sessions,
            messages=[inbound],
            settings=db.settings,
            protector=self.world.protector,
            now=self.now,
            announce=False,
        )
        outs = [out for row in intake.replies for out in _outs(row, db)]
        self.sent.extend(outs)
        # the replies; notices (a code, a confirmation) are kept in `sent`
        return [o for o in outs if o.row.address == self.address and o.row.key[:7] != "notice."]

    async def keys(self, text: str | None = None, **kwargs: Any) -> list[str]:
        """Send a message; the keys of the replies."""
        return [o.key for o in await self.send(text, **kwargs)]

    async def conversation(self) -> Conversation:
        """The stored conversation of this address."""
        async with self.world.db.sessions() as session:
            query = select(Conversation).where(Conversation.address == self.address)
            return (await session.scalars(query)).one()

    def last_code(self) -> str:
        """The last verification code queued (as the SMS would carry it)."""
        codes = [o for o in self.sent if o.key == "notice.verification_code"]
        return str(codes[-1].params["code"])


def _outs(row: OutboxMessage, db: Database) -> list[Out]:
    """A reply as the person reads it; the replies one SMS carries together, one by one."""
    if row.key != reserved.JOINED:
        rendered = render_outbox(row, db.settings)
        return [Out(row.key, dict(row.params), rendered.text, rendered, row)]
    outs = []
    for part in row.params[reserved.PARTS]:
        shown = reserved.render_queued(
            part["key"], part["params"], locale=row.locale, channel=row.channel
        )
        outs.append(Out(part["key"], dict(part["params"]), shown.text, shown, row))
    return outs


def keys_of(outs: Sequence[Out]) -> list[str]:
    """The keys of some replies."""
    return [o.key for o in outs]


async def commune_named(session: Any, name: str) -> Area:
    query = select(Area).where(Area.level == "commune", Area.name == name)
    return (await session.scalars(query)).one()


async def _beneficiary(
    session: Any,
    protector: DataProtector,
    *,
    name: str,
    cccd: str,
    birth: date | None,
    commune_id: int,
    category: Category = Category.BTXH,
    birth_year: int | None = None,
    cash_at_home: bool = False,
) -> Someone:
    person = await create_person(
        session,
        protector=protector,
        full_name=name,
        birth_date=birth,
        birth_year=birth_year,
        cccd=cccd,
    )
    beneficiary = await create_beneficiary(
        session,
        person=person,
        category=category,
        commune_id=commune_id,
        actor="test",
        cash_at_home_allowed=cash_at_home,
    )
    typed = birth.strftime("%d/%m/%Y") if birth else str(birth_year)
    return Someone(beneficiary.id, person.id, name, cccd, typed)


async def populate(db: Database) -> World:
    """Units, banks' offices, three beneficiaries in one commune and two service points."""
    protector = DataProtector(TEST_KEY)
    async with db.sessions() as session, session.begin():
        await load_units(session)
        await load_organisations(session)
        home = await commune_named(session, HOME)
        lam = await _beneficiary(
            session,
            protector,
            name="Nông Văn Lâm",
            cccd="020050001234",
            birth=date(1950, 3, 5),
            commune_id=home.id,
        )
        thao = await _beneficiary(
            session,
            protector,
            name="Hoàng Thị Phương Thảo",
            cccd="020145006789",
            birth=date(1945, 7, 20),
            commune_id=home.id,
            cash_at_home=True,
        )
        sau = await _beneficiary(
            session,
            protector,
            name="Lý Văn Sáu",
            cccd="020038001111",
            birth=None,
            birth_year=1938,
            commune_id=home.id,
            category=Category.NCC,
        )
        await add_contact_address(session, person_id=sau.person_id, address="tel:+84912000111")
        await add_service_point(
            session,
            kind="atm",
            name="ATM Agribank Đông Kinh",
            commune_id=home.id,
            address="Số 2 Lê Lợi",
            latitude=ATM_AT[0],
            longitude=ATM_AT[1],
            operator_name="Agribank",
            opening_hours="24/7",
        )
        await add_service_point(
            session,
            kind="payment_point",
            name="Bưu điện Đông Kinh",
            commune_id=home.id,
            address="Số 9 Trần Đăng Ninh",
            latitude=ATM_AT[0] + 0.01,
            longitude=ATM_AT[1],
        )
    return World(db, protector, lam, thao, sau, home.id)


@pytest.fixture(scope="session")
def prepared_sqlite(template_db: str, tmp_path_factory: pytest.TempPathFactory) -> Prepared:
    """On SQLite, the people and places are written once and the file copied for each test."""
    path = tmp_path_factory.mktemp("dialog") / "world.db"
    shutil.copyfile(template_db.split("///", 1)[1], path)

    async def prepare() -> World:
        database = _database(path)
        try:
            return await populate(database)
        finally:
            await database.engine.dispose()

    return Prepared(path, asyncio.run(prepare()))


def _database(path: Path) -> Database:
    settings = make_test_settings(f"sqlite+aiosqlite:///{path}")
    engine = make_engine(settings)
    return Database(settings, engine, make_sessionmaker(engine))


if PG_URL:

    @pytest.fixture
    async def world(db: Database) -> World:
        """The shared PostgreSQL test database, emptied and filled by `populate`."""
        return await populate(db)

else:

    @pytest.fixture
    async def world(prepared_sqlite: Prepared, tmp_path: Path) -> AsyncIterator[World]:
        """A SQLite file of its own with the people and places of `populate`."""
        target = tmp_path / "dialog.db"
        shutil.copyfile(prepared_sqlite.path, target)
        database = _database(target)
        yield replace(prepared_sqlite.world, db=database)
        await database.engine.dispose()


@dataclass(frozen=True)
class Prepared:
    """A SQLite file with the world written, and what was written."""

    path: Path
    world: World


@pytest.fixture
def telegram(world: World) -> Chat:
    """A Telegram user (buttons, share phone and location)."""
    return Chat(world, "telegram:700100200", "telegram")


@pytest.fixture
def zalo(world: World) -> Chat:
    """A Zalo user (numbered menus only)."""
    return Chat(world, "zalo:u123456789", "zalo")


@pytest.fixture
def sms(world: World) -> Chat:
    """A basic phone (SMS)."""
    return Chat(world, "tel:+84987000222", "sms")


async def identify_self(chat: Chat, someone: Someone, *, language: str = "1") -> list[Out]:
    """Start, Vietnamese (or English), consent, 'I receive the allowance', CCCD, birth date."""
    await chat.send("xin chào")
    await chat.send(language)
    await chat.send("1")  # yes
    await chat.send("1")  # I am the beneficiary
    await chat.send(someone.cccd)
    return await chat.send(someone.birth)


async def start_as_proxy(
    chat: Chat, name: str = "Nông Văn Bình", cccd: str = "020090004321"
) -> list[Out]:
    """Start, Vietnamese, consent, 'an authorized family member', their own name and CCCD."""
    await chat.send("xin chào")
    await chat.send("1")
    await chat.send("co")
    await chat.send("2")  # authorized family member
    await chat.send(name)
    return await chat.send(cccd)  # the relationship is asked next


async def identify_as_proxy(chat: Chat, someone: Someone) -> list[Out]:
    """A family member (start_as_proxy), the person's child, identifies them by CCCD, birth
    date and name; the proxy's phone is asked next."""
    await start_as_proxy(chat)
    await chat.send("1")  # child
    await chat.send(someone.cccd)
    await chat.send(someone.birth)
    return await chat.send(someone.name)


async def verify_phone(chat: Chat, phone: str = "0912345678") -> list[Out]:
    """Give a phone number and the code it receives."""
    await chat.send(phone)
    return await chat.send(chat.last_code())
