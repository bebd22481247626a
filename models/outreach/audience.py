"""A campaign's audience as one SELECT of person ids (enqueue_campaign takes it as it is), its
exact size, and an even sample of it for estimates.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BigInteger, Select, cast, exists, func, literal, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from models.messaging.routing import UNREACHABLE
from models.payments.tables import PaymentMethodChoice
from models.people.tables import Beneficiary, ContactAddress, Person
from models.vocab import BeneficiaryStatus

KEY = "campaign.text"
KNUTH = 2_654_435_761  # 2^32 divided by the golden ratio
CHANNEL_SCHEMES = {"sms": "tel:", "telegram": "telegram:", "zalo": "zalo:"}


@dataclass(frozen=True)
class AudienceSpec:
    """Who a campaign is for: communes (none = the whole province) and optional filters."""

    commune_ids: Sequence[int] = ()
    category: str | None = None
    method: str | None = None
    language: str | None = None
    channel: str | None = None


def _usable(scheme: str) -> ColumnElement[bool]:
    """SQL: the person has an address of this scheme that campaigns may use."""
    # correlated with the beneficiary only: a query that joins addresses itself (the channel
    # mix) must not turn this into a test of its own joined row
    return (
        exists()
        .where(
            ContactAddress.person_id == Beneficiary.person_id,
            ContactAddress.address.startswith(scheme),
            ContactAddress.opted_out_at.is_(None),
            ContactAddress.reachability != UNREACHABLE,
        )
        .correlate(Beneficiary)
    )


def _latest_method() -> Any:
    return (
        select(PaymentMethodChoice.method)
        .where(PaymentMethodChoice.beneficiary_id == Beneficiary.id)
        .order_by(PaymentMethodChoice.id.desc())
        .limit(1)
        .correlate(Beneficiary)
        .scalar_subquery()
    )


def filtered(query: Select[*tuple[Any, ...]], spec: AudienceSpec) -> Select[*tuple[Any, ...]]:
    """`query` (from beneficiaries) kept to the active beneficiaries the spec names."""
    query = query.where(Beneficiary.status == BeneficiaryStatus.ACTIVE.value)
    if spec.commune_ids:
        query = query.where(Beneficiary.commune_id.in_(list(spec.commune_ids)))
    if spec.category:
        query = query.where(Beneficiary.category == spec.category)
    if spec.method:
        query = query.where(_latest_method() == spec.method)
    if spec.language:
        speakers = select(Person.id).where(Person.locale == spec.language)
        query = query.where(Beneficiary.person_id.in_(speakers))
    if spec.channel:
        query = query.where(_usable(CHANNEL_SCHEMES[spec.channel]))
    return query


def audience(spec: AudienceSpec, *, locale: str | None = None) -> Select[int]:
    """The person ids of the audience (of one locale when given), for enqueue_campaign."""
    query = filtered(select(Beneficiary.person_id), spec)
    if locale is not None:
        people = select(Person.id).where(
            Person.locale == locale if locale == "en" else Person.locale != "en"
        )
        query = query.where(Beneficiary.person_id.in_(people))
    return query


async def audience_count(session: AsyncSession, spec: AudienceSpec) -> int:
    """How many people the campaign reaches at most (exact)."""
    query = filtered(select(func.count()).select_from(Beneficiary), spec)
    return int(await session.scalar(query) or 0)


def sampled(every: int) -> ColumnElement[bool]:
    """SQL: about one beneficiary in `every`, spread evenly whatever the pattern of ids.

    Knuth's multiplicative hash scatters consecutive ids, so a sample never lines up with a
    regular pattern in the data (say, every fifth person on Telegram).
    """
    ids = cast(Beneficiary.person_id, BigInteger)
    scattered = func.mod(ids * literal(KNUTH, BigInteger), literal(2**32, BigInteger))
    return func.mod(scattered, every) == 0


async def without_jit(session: AsyncSession) -> None:
    """On PostgreSQL, no JIT for the rest of the transaction: compiling these counting
    queries (seconds) costs far more than running them (milliseconds)."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text("SET LOCAL jit = off"))
