"""Phone verification codes: six digits by SMS, hashed at rest, short-lived, rate-limited."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from models.conversations.tables import VerificationCode
from models.protection import DataProtector

CODE_MINUTES = 5
MAX_ATTEMPTS = 3
RATE_WINDOW = timedelta(minutes=15)
MAX_CODES_PER_WINDOW = 3  # per phone number and per address


@dataclass(frozen=True)
class CodeCheck:
    """The result of checking a code: ok | wrong | expired | locked | missing."""

    status: str
    attempts_left: int = 0

    @property
    def ok(self) -> bool:
        """Whether the code proved the phone."""
        return self.status == "ok"


def _material(phone: str, code: str) -> str:
    return f"{phone}:{code}"


async def _recent(
    session: AsyncSession, column: InstrumentedAttribute[str], value: str, since: datetime
) -> int:
    query = select(func.count(VerificationCode.id)).where(
        column == value, VerificationCode.created_at >= since
    )
    return int(await session.scalar(query) or 0)


async def can_send_code(session: AsyncSession, *, address: str, phone: str, now: datetime) -> bool:
    """Whether another code may be sent to `phone` for `address` now."""
    since = now - RATE_WINDOW
    by_phone = await _recent(session, VerificationCode.phone, phone, since)
    by_address = await _recent(session, VerificationCode.address, address, since)
    return max(by_phone, by_address) < MAX_CODES_PER_WINDOW


async def issue_code(
    session: AsyncSession, *, protector: DataProtector, address: str, phone: str, now: datetime
) -> str | None:
    """A new code for `phone` asked from `address`; None when the rate limit is reached.

    Earlier unused codes of the pair stop working: only the newest one counts.
    """
    if not await can_send_code(session, address=address, phone=phone, now=now):
        return None
    code = f"{secrets.randbelow(10**6):06d}"
    session.add(
        VerificationCode(
            address=address,
            phone=phone,
            code_hash=protector.lookup_hash(_material(phone, code)),
            expires_at=now + timedelta(minutes=CODE_MINUTES),
            created_at=now,
        )
    )
    await session.flush()
    return code


async def _latest(session: AsyncSession, address: str, phone: str) -> VerificationCode | None:
    rows = await session.scalars(
        select(VerificationCode)
        .where(VerificationCode.address == address, VerificationCode.phone == phone)
        .order_by(VerificationCode.id.desc())
        .limit(1)
    )
    return rows.first()


def _matches(protector: DataProtector, row: VerificationCode, phone: str, code: str) -> bool:
    hashes = protector.lookup_hashes(_material(phone, code))
    return any(hmac.compare_digest(row.code_hash, candidate) for candidate in hashes)


async def check_code(
    session: AsyncSession,
    *,
    protector: DataProtector,
    address: str,
    phone: str,
    code: str,
    now: datetime,
) -> CodeCheck:
    """Check `code` against the newest code sent to `phone` for `address` (three tries)."""
    row = await _latest(session, address, phone)
    if row is None or row.used_at is not None:
        return CodeCheck("missing")
    if row.attempts >= MAX_ATTEMPTS:
        return CodeCheck("locked")
    if now >= row.expires_at:
        return CodeCheck("expired")
    if _matches(protector, row, phone, code):
        row.used_at = now
        await session.flush()
        return CodeCheck("ok")
    row.attempts += 1
    await session.flush()
    left = MAX_ATTEMPTS - row.attempts
    return CodeCheck("wrong", left) if left else CodeCheck("locked")
