"""The officers' clockwork: launch scheduled campaigns, remind session attendees the day
before, remind communes from the 10th. Each step is idempotent and has its own transaction, so
one failing never holds back the others.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models.db import transaction
from models.messaging.hours import zone
from models.outreach.campaigns import launch_due_campaigns
from models.outreach.sessions import remind_sessions
from models.reports.reminders import remind_officers
from models.settings import Settings

log = logging.getLogger(__name__)
ADMIN_EVERY_SECONDS = 60.0

Step = Callable[[AsyncSession], Awaitable[int]]


async def run_admin_jobs(
    sessions: async_sessionmaker[AsyncSession], settings: Settings, now: datetime
) -> dict[str, int]:
    """Run every step once; how many campaigns, session reminders and officer reminders."""
    today = now.astimezone(zone(settings.timezone)).date()
    steps: dict[str, Step] = {
        "campaigns": lambda s: launch_due_campaigns(s, now=now, settings=settings),
        "session_reminders": lambda s: remind_sessions(s, today=today, now=now, settings=settings),
        "officer_reminders": lambda s: remind_officers(s, today=today, now=now, settings=settings),
    }
    done: dict[str, int] = {}
    for name, step in steps.items():
        try:
            async with transaction(sessions) as session:
                done[name] = await step(session)
        except Exception:
            log.exception("admin job %s failed", name)
            done[name] = 0
        if done[name]:
            log.info("admin job %s: %d", name, done[name])
    return done
