"""Which channel a campaign would reach each person on: the routing policy itself
(models.messaging.routing.routes) applied to the people of an audience, or an even sample.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Row, Select, and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.messaging.routing import routes
from models.messaging.store import MESSAGING_PURPOSE
from models.outreach.audience import KEY, AudienceSpec, filtered, sampled
from models.people.tables import Beneficiary, Consent, ContactAddress, Person

OUTCOMES = ("telegram", "zalo", "zns", "sms", "suppressed")


@dataclass
class Mix:
    """The first route of each person looked at, per locale ('suppressed': none)."""

    people: int = 0
    routes: dict[str, dict[str, int]] = field(default_factory=dict)  # locale -> outcome -> n


def _sample(query: Select[*tuple[Any, ...]], spec: AudienceSpec, every: int) -> Any:
    query = filtered(query, spec)
    return query.where(sampled(every)) if every > 1 else query


@dataclass
class _Person:
    """One sampled person: locale, contact addresses, and their messaging consents."""

    locale: str
    contacts: dict[str, Row[Any]] = field(default_factory=dict)
    withdrawn: bool = False
    given: bool = False

    @property
    def blocked(self) -> bool:
        """Withdrew messaging consent and has not given it again."""
        return self.withdrawn and not self.given


async def _people(session: AsyncSession, spec: AudienceSpec, every: int) -> dict[int, _Person]:
    """The (sampled) people with their addresses and consents, in one pass over the registry."""
    consent = and_(Consent.person_id == Beneficiary.person_id, Consent.purpose == MESSAGING_PURPOSE)
    query = (
        select(
            Beneficiary.person_id,
            Person.locale,
            ContactAddress.id.label("contact_id"),
            ContactAddress.address,
            ContactAddress.priority,
            ContactAddress.reachability,
            ContactAddress.opted_out_at,
            Consent.id.label("consent_id"),
            Consent.withdrawn_at,
        )
        .select_from(Beneficiary)
        .join(Person, Person.id == Beneficiary.person_id)
        .outerjoin(ContactAddress, ContactAddress.person_id == Beneficiary.person_id)
        .outerjoin(Consent, consent)
    )
    found: dict[int, _Person] = {}
    for row in (await session.execute(_sample(query, spec, every))).all():
        person = found.setdefault(row.person_id, _Person(row.locale))
        if row.address is not None:
            person.contacts.setdefault(row.address, row)
        if row.consent_id is not None:
            person.withdrawn |= row.withdrawn_at is not None
            person.given |= row.withdrawn_at is None
    return found


async def channel_mix(
    session: AsyncSession, spec: AudienceSpec, *, every: int, zns_templates: Mapping[str, str]
) -> Mix:
    """Route about one person in `every` of the audience as the dispatcher would."""
    people = await _people(session, spec, every)
    mix = Mix(people=len(people))
    for person in people.values():
        contacts = sorted(person.contacts.values(), key=lambda c: (c.priority, c.contact_id))
        found = (
            []
            if person.blocked
            else routes(contacts, key=KEY, message_class="campaign", zns_templates=zns_templates)
        )
        outcome = found[0].channel if found else "suppressed"
        locale = "en" if person.locale == "en" else "vi"
        bucket = mix.routes.setdefault(locale, dict.fromkeys(OUTCOMES, 0))
        bucket[outcome] = bucket.get(outcome, 0) + 1
    return mix
