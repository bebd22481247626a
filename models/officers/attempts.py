"""Failed logins, counted in the database so every process enforces the same limit."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.errors import TooManyAttempts
from models.officers.tables import LoginAttempt

WINDOW = timedelta(minutes=15)
PER_USERNAME = 5  # a person mistyping stays well below this
PER_CLIENT = 20  # one address trying many usernames
KEEP = timedelta(days=1)


def username_key(username: str) -> str:
    """The username as attempts are counted: trimmed, lower case, bounded."""
    return username.strip().lower()[:64]


async def _last_success(session: AsyncSession, username: str) -> datetime | None:
    query = select(func.max(LoginAttempt.at)).where(
        LoginAttempt.username == username, LoginAttempt.success.is_(True)
    )
    return await session.scalar(query)


async def _failures(session: AsyncSession, condition: object, since: datetime) -> list[datetime]:
    query = (
        select(LoginAttempt.at)
        .where(condition, LoginAttempt.success.is_(False), LoginAttempt.at > since)  # type: ignore[arg-type]
        .order_by(LoginAttempt.at)
    )
    return list((await session.scalars(query)).all())


def _wait(failures: list[datetime], limit: int, now: datetime) -> int | None:
    """Seconds until fewer than `limit` failures remain in the window, or None if allowed."""
    if len(failures) < limit:
        return None
    freed_at = failures[len(failures) - limit] + WINDOW
    return max(1, int((freed_at - now).total_seconds()) + 1)


async def check_login_allowed(
    session: AsyncSession, *, username: str, client: str, now: datetime
) -> None:
    """TooManyAttempts when this username or this client failed too often lately.

    A success clears the username's count (not the client's: logging into one's own account
    must not reset an attack on others).
    """
    name = username_key(username)
    since = now - WINDOW
    success = await _last_success(session, name)
    by_name = await _failures(
        session, LoginAttempt.username == name, max(since, success) if success else since
    )
    by_client = await _failures(session, LoginAttempt.client == client, since)
    waits = [_wait(by_name, PER_USERNAME, now), _wait(by_client, PER_CLIENT, now)]
    longest = max((w for w in waits if w is not None), default=None)
    if longest is not None:
        raise TooManyAttempts(
            "admin.auth.too_many_attempts", retry_after=longest, minutes=-(-longest // 60)
        )


async def record_login_attempt(
    session: AsyncSession, *, username: str, client: str, success: bool, now: datetime
) -> None:
    """Count one attempt and forget those older than a day."""
    await session.execute(delete(LoginAttempt).where(LoginAttempt.at < now - KEEP))
    session.add(
        LoginAttempt(at=now, username=username_key(username), client=client[:64], success=success)
    )
    await session.flush()
