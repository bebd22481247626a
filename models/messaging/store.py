"""Queries the outbox functions share: contacts, consent, idempotent inserts."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import and_, exists, not_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import Subquery

from models.messaging.tables import OutboxMessage
from models.people.tables import Consent, ContactAddress
from models.vocab import ConsentPurpose

# Withdrawing consent to messaging stops everything but replies to the person's own messages.
MESSAGING_PURPOSE = ConsentPurpose.MESSAGING.value


async def contacts_of(session: AsyncSession, person_id: int) -> Sequence[ContactAddress]:
    """A person's contact addresses, in their order of preference."""
    query = (
        select(ContactAddress)
        .where(ContactAddress.person_id == person_id)
        .order_by(ContactAddress.priority, ContactAddress.id)
    )
    return (await session.scalars(query)).all()


def consent_withdrawn_clause(person_id: Any) -> ColumnElement[bool]:
    """SQL: the person withdrew messaging consent and has not given it again."""
    purpose = and_(Consent.person_id == person_id, Consent.purpose == MESSAGING_PURPOSE)
    withdrawn = exists().where(purpose, Consent.withdrawn_at.is_not(None))
    active = exists().where(purpose, Consent.withdrawn_at.is_(None))
    return and_(withdrawn, not_(active))


def consent_withdrawn_people() -> Subquery:
    """SQL: the ids of everyone who withdrew messaging consent and has not given it again.

    One scan for a whole campaign, where `consent_withdrawn_clause` would probe per address.
    """
    withdrawn = aliased(Consent)
    return (
        select(withdrawn.person_id)
        .where(
            withdrawn.purpose == MESSAGING_PURPOSE,
            withdrawn.withdrawn_at.is_not(None),
            ~exists().where(
                Consent.person_id == withdrawn.person_id,
                Consent.purpose == MESSAGING_PURPOSE,
                Consent.withdrawn_at.is_(None),
            ),
        )
        .group_by(withdrawn.person_id)
        .subquery()
    )


async def consent_withdrawn(session: AsyncSession, person_id: int) -> bool:
    """Whether the person withdrew consent to be sent messages."""
    return bool(await session.scalar(select(consent_withdrawn_clause(person_id))))


async def by_idempotency_key(session: AsyncSession, idempotency_key: str) -> OutboxMessage | None:
    """The outbox row made under an idempotency key, if any."""
    query = select(OutboxMessage).where(OutboxMessage.idempotency_key == idempotency_key)
    return (await session.scalars(query)).first()


def dialect_insert(session: AsyncSession) -> Any:
    """The `insert` construct of the session's dialect (it knows ON CONFLICT)."""
    name = session.get_bind().dialect.name
    return postgresql.insert if name == "postgresql" else sqlite.insert


_statements: dict[tuple[str, str], Any] = {}


def prepared(session: AsyncSession, name: str, build: Callable[[Any], Any]) -> Any:
    """A statement built once per dialect by `build(dialect_insert)`, run with parameters.

    Building an insert with `.values(...)` costs more than running it; a statement built once
    and given its values as parameters is also compiled once.
    """
    key = (session.get_bind().dialect.name, name)
    statement = _statements.get(key)
    if statement is None:
        statement = _statements[key] = build(dialect_insert(session))
    return statement


async def insert_outbox(session: AsyncSession, values: Mapping[str, Any]) -> OutboxMessage:
    """Insert an outbox row unless its idempotency key exists; the row either way.

    ON CONFLICT DO NOTHING makes concurrent callers with one key end with one row. The new
    row comes back from the insert itself (RETURNING), not from a second query.
    """
    statement = prepared(
        session,
        "outbox",
        lambda insert: (
            insert(OutboxMessage)
            .on_conflict_do_nothing(index_elements=["idempotency_key"])
            .returning(OutboxMessage)
        ),
    )
    message = (await session.scalars(statement, dict(values))).one_or_none()
    if message is None:
        existing = await by_idempotency_key(session, str(values["idempotency_key"]))
        if existing is None:  # pragma: no cover - a conflicting row cannot vanish
            raise RuntimeError("idempotency conflict without a row")
        return existing
    return message
