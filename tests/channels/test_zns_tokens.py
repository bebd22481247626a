"""The stored ZNS tokens: one claim per version, stores guarded by the claim."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from models.db import transaction
from models.messaging.tokens import (
    claim_refresh,
    read_tokens,
    replace_refresh_token,
    seed_tokens,
    store_refreshed,
)
from models.protection import DataProtector
from tests.conftest import Database

T0 = datetime(2026, 3, 10, 1, 0, tzinfo=UTC)
LEASE = timedelta(seconds=30)


async def test_seed_once_then_read(db: Database) -> None:
    cipher = DataProtector.from_settings(db.settings)
    async with transaction(db.sessions) as session:
        first = await seed_tokens(session, name="zns", refresh_token="rt-1", cipher=cipher, now=T0)
        again = await seed_tokens(session, name="zns", refresh_token="rt-X", cipher=cipher, now=T0)
    assert (first.refresh_token, first.access_token, first.version) == ("rt-1", None, 0)
    assert again.refresh_token == "rt-1"
    assert not first.refreshing and not first.usable(T0, timedelta(0))


async def test_only_one_claim_per_version(db: Database) -> None:
    cipher = DataProtector.from_settings(db.settings)
    async with transaction(db.sessions) as session:
        tokens = await seed_tokens(session, name="zns", refresh_token="rt-1", cipher=cipher, now=T0)
    async with transaction(db.sessions) as session:
        mine = await claim_refresh(session, tokens=tokens, now=T0, lease=LEASE)
    async with transaction(db.sessions) as session:
        theirs = await claim_refresh(session, tokens=tokens, now=T0, lease=LEASE)
        current = await read_tokens(session, name="zns", cipher=cipher)
        assert current is not None
        too_soon = await claim_refresh(session, tokens=current, now=T0 + LEASE / 2, lease=LEASE)
    assert (mine, theirs, too_soon) == (1, None, None)
    assert current.refreshing


async def test_store_needs_the_claim_still_held(db: Database) -> None:
    cipher = DataProtector.from_settings(db.settings)
    later = T0 + LEASE * 2
    async with transaction(db.sessions) as session:
        tokens = await seed_tokens(session, name="zns", refresh_token="rt-1", cipher=cipher, now=T0)
        mine = await claim_refresh(session, tokens=tokens, now=T0, lease=LEASE)
        claimed = await read_tokens(session, name="zns", cipher=cipher)
        assert claimed is not None and mine == 1
        taken_over = await claim_refresh(session, tokens=claimed, now=later, lease=LEASE)
        stale = await store_refreshed(
            session,
            name="zns",
            claimed_version=1,
            access_token="at-a",
            refresh_token="rt-a",
            expires_at=later,
            cipher=cipher,
            now=later,
        )
        stored = await store_refreshed(
            session,
            name="zns",
            claimed_version=3,
            access_token="at-b",
            refresh_token="rt-b",
            expires_at=later + timedelta(hours=25),
            cipher=cipher,
            now=later,
        )
        final = await read_tokens(session, name="zns", cipher=cipher)
    assert (taken_over, stale, stored) == (3, False, True)
    assert final is not None
    assert (final.access_token, final.refresh_token, final.version) == ("at-b", "rt-b", 4)
    assert final.usable(later, timedelta(minutes=5))


async def test_an_operator_replaces_a_lost_refresh_token(db: Database) -> None:
    cipher = DataProtector.from_settings(db.settings)
    async with transaction(db.sessions) as session:
        tokens = await seed_tokens(session, name="zns", refresh_token="rt-1", cipher=cipher, now=T0)
        await claim_refresh(session, tokens=tokens, now=T0, lease=LEASE)
        await replace_refresh_token(
            session, name="zns", refresh_token="rt-new", cipher=cipher, now=T0
        )
        replaced = await read_tokens(session, name="zns", cipher=cipher)
    assert replaced is not None
    assert (replaced.refresh_token, replaced.access_token) == ("rt-new", None)
    assert not replaced.refreshing
