"""The app prepared for schemathesis: Lạng Sơn, demo people, and a province admin's token.

Schemathesis calls the ASGI app from the test's thread and runs its lifespan on an event loop
of its own, so the app (and its engine) are built there; the database is seeded beforehand
from the test's loop and only its URL crosses over.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

from fastapi import FastAPI
from schemathesis.python.asgi import shutdown_lifespans
from sqlalchemy import select
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.app import create_app
from models.demo import make_demo
from models.officers.roles import Role
from models.officers.tables import Officer, OfficerArea
from models.officers.tokens import issue_access_token
from models.places.tables import Area
from models.protection import DataProtector
from tests.admin.helpers import CHEAP_HASH
from tests.conftest import TEST_KEY, Database, make_test_settings
from tests.security.support import admin_rows, lang_son

log = logging.getLogger(__name__)

# Far above the ids the fuzzer favours, so no generated request deactivates the fuzzer itself.
FUZZER_ID = 900_001


@dataclass(frozen=True)
class Target:
    """A seeded database, and the Authorization header of a province admin."""

    url: str
    headers: dict[str, str]


async def seed(db: Database) -> Target:
    """Places, demo people and points, reviews, questions, lists, campaigns, sessions and a
    province admin."""
    await lang_son(db.sessions)
    async with db.sessions() as session, session.begin():
        await make_demo(session, protector=DataProtector(TEST_KEY), per_commune=1,
                        today=date(2026, 11, 27))  # fmt: skip
        province = await session.scalar(select(Area).where(Area.level == "province"))
        assert province is not None
        communes = (await session.scalars(select(Area).where(Area.level == "commune"))).all()
        for number, commune in enumerate(communes[:2], start=901):  # rows for links to follow
            await admin_rows(session, commune, number)
        session.add(Officer(id=FUZZER_ID, username="fuzzer", display_name="Fuzzer",
                            password_hash=CHEAP_HASH, role=Role.PROVINCE_ADMIN.value))  # fmt: skip
        await session.flush()
        session.add(OfficerArea(officer_id=FUZZER_ID, area_id=province.id))
    token = issue_access_token(db.settings, officer_id=FUZZER_ID, role=Role.PROVINCE_ADMIN.value)
    return Target(db.url, {"Authorization": f"Bearer {token.token}"})


class LikeAServer:
    """What uvicorn does with an error raised after the app's 500 went out: log it, go on.

    The app answers an unhandled error with a 500 problem, then raises it for the server to log;
    schemathesis' in-process client would raise it in the test instead of showing the 500.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = False

        async def sending(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, sending)
        except Exception:
            if not started:
                raise
            log.exception("unhandled error after the 500 was sent")


@contextmanager
def fuzzed_app(target: Target) -> Iterator[FastAPI]:
    """The app in sandbox mode on the seeded database; its lifespan ends with the block."""
    settings = make_test_settings(target.url, run_scheduler=False, sandbox=True)
    app = create_app(settings)
    app.add_middleware(LikeAServer)
    try:
        yield app
    finally:
        shutdown_lifespans()
