"""Rotating provider OAuth tokens (ZNS): encrypted at rest, refreshed by one process at a time.

Zalo's refresh token is single-use: spending it twice loses the account's access. `version` is
both the optimistic lock and the state: even = at rest, odd = one process is spending the refresh
token (since `updated_at`). A process first claims the row (`claim_refresh`, compare-and-set from
the version it read); only the winner calls the provider, then stores the new pair with another
compare-and-set (`store_refreshed`) that makes the version even again. Losers re-read until the
new access token is there; a claim older than the lease (its holder died) may be taken over, and
a refresh that failed gives its claim up (`release_claim`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models.messaging.tables import ProviderToken


class Cipher(Protocol):
    """What encrypts the tokens at rest (models.protection.DataProtector)."""

    def encrypt(self, plain: str) -> bytes: ...

    def decrypt(self, blob: bytes) -> str: ...


@dataclass(frozen=True, slots=True)
class Tokens:
    """The decrypted tokens of one provider, as stored at `version`."""

    name: str
    access_token: str | None
    refresh_token: str | None
    expires_at: datetime | None
    version: int
    updated_at: datetime

    @property
    def refreshing(self) -> bool:
        """Whether a process has claimed the refresh token and not stored the new pair yet."""
        return self.version % 2 == 1

    def usable(self, now: datetime, margin: timedelta) -> bool:
        """Whether the access token is there and lasts beyond now + margin."""
        return bool(self.access_token) and (
            self.expires_at is None or self.expires_at - margin > now
        )


def _decrypt(cipher: Cipher, value: bytes | None) -> str | None:
    return None if value is None else cipher.decrypt(value)


def _tokens(row: ProviderToken, cipher: Cipher) -> Tokens:
    return Tokens(
        name=row.name,
        access_token=_decrypt(cipher, row.access_token_enc),
        refresh_token=_decrypt(cipher, row.refresh_token_enc),
        expires_at=row.expires_at,
        version=row.version,
        updated_at=row.updated_at,
    )


async def read_tokens(session: AsyncSession, *, name: str, cipher: Cipher) -> Tokens | None:
    """The stored tokens of `name`, or None."""
    row = await session.scalar(
        select(ProviderToken)
        .where(ProviderToken.name == name)
        .execution_options(populate_existing=True)
    )
    return None if row is None else _tokens(row, cipher)


async def seed_tokens(
    session: AsyncSession, *, name: str, refresh_token: str, cipher: Cipher, now: datetime
) -> Tokens:
    """The stored tokens, storing the configured first refresh token when there are none yet."""
    existing = await read_tokens(session, name=name, cipher=cipher)
    if existing is not None:
        return existing
    encrypted = cipher.encrypt(refresh_token)
    row = ProviderToken(name=name, refresh_token_enc=encrypted, version=0, updated_at=now)
    session.add(row)
    await session.flush()
    return _tokens(row, cipher)


async def replace_refresh_token(
    session: AsyncSession, *, name: str, refresh_token: str, cipher: Cipher, now: datetime
) -> None:
    """Store a refresh token an operator obtained anew (the stored one was lost or spent)."""
    current = await read_tokens(session, name=name, cipher=cipher)
    if current is None:
        await seed_tokens(session, name=name, refresh_token=refresh_token, cipher=cipher, now=now)
        return
    values: dict[str, Any] = {
        "access_token_enc": None,
        "refresh_token_enc": cipher.encrypt(refresh_token),
        "expires_at": None,
        "updated_at": now,
    }
    at_rest = current.version + (1 if current.refreshing else 2)
    if not await _compare_and_set(session, name, current.version, at_rest, values):
        raise RuntimeError("the tokens changed while being replaced; try again")


async def claim_refresh(
    session: AsyncSession, *, tokens: Tokens, now: datetime, lease: timedelta
) -> int | None:
    """Take the right to spend the refresh token; the claimed version, or None if another has it."""
    if tokens.refreshing and tokens.updated_at + lease > now:
        return None
    claimed = tokens.version + (2 if tokens.refreshing else 1)  # stays odd: refresh under way
    won = await _compare_and_set(session, tokens.name, tokens.version, claimed, {"updated_at": now})
    return claimed if won else None


async def store_refreshed(
    session: AsyncSession,
    *,
    name: str,
    claimed_version: int,
    access_token: str,
    refresh_token: str,
    expires_at: datetime,
    cipher: Cipher,
    now: datetime,
) -> bool:
    """Store the new pair if our claim still holds; the version becomes even (at rest)."""
    values: dict[str, Any] = {
        "access_token_enc": cipher.encrypt(access_token),
        "refresh_token_enc": cipher.encrypt(refresh_token),
        "expires_at": expires_at,
        "updated_at": now,
    }
    return await _compare_and_set(session, name, claimed_version, claimed_version + 1, values)


async def release_claim(
    session: AsyncSession, *, name: str, claimed_version: int, now: datetime
) -> bool:
    """Give the claim up after a failed refresh, tokens unchanged, so a later try need not wait."""
    return await _compare_and_set(
        session, name, claimed_version, claimed_version + 1, {"updated_at": now}
    )


async def _compare_and_set(
    session: AsyncSession, name: str, version: int, new_version: int, values: dict[str, Any]
) -> bool:
    # One UPDATE guarded by the version: the row lock (PostgreSQL) or the write lock
    # (SQLite, BEGIN IMMEDIATE) lets exactly one of two racing processes match.
    result = await session.execute(
        update(ProviderToken)
        .where(ProviderToken.name == name, ProviderToken.version == version)
        .values(version=new_version, **values)
        .execution_options(synchronize_session=False)
    )
    return cast(CursorResult[Any], result).rowcount == 1
