"""People, beneficiaries, contact addresses, representations, consents."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, utcnow


class Person(Base):
    """Anyone ansinh knows: a beneficiary, a proxy or a guardian.

    ID numbers are stored encrypted (`*_enc`), found by a keyed hash (`*_hash`)
    and shown through a precomputed mask (`*_masked`).
    """

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    full_name: Mapped[str] = mapped_column(String(200))
    search_name: Mapped[str] = mapped_column(String(200), index=True)
    birth_date: Mapped[date | None]
    birth_year: Mapped[int | None]
    gender: Mapped[str | None] = mapped_column(String(8))
    cccd_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    cccd_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    cccd_masked: Mapped[str | None] = mapped_column(String(16))
    cmnd_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    cmnd_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    cmnd_masked: Mapped[str | None] = mapped_column(String(16))
    locale: Mapped[str] = mapped_column(String(8), default="vi")
    anonymised_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    addresses: Mapped[list[ContactAddress]] = relationship(
        back_populates="person", order_by="ContactAddress.priority"
    )


class Beneficiary(Base):
    """A person receiving a monthly allowance (BTXH or NCC)."""

    __tablename__ = "beneficiaries"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), unique=True)
    registry_code: Mapped[str | None] = mapped_column(String(64), index=True)
    category: Mapped[str] = mapped_column(String(8), index=True)
    sub_category: Mapped[str | None] = mapped_column(String(100))
    commune_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"), index=True)
    legacy_area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"))
    area_needs_confirmation: Mapped[bool] = mapped_column(default=False)
    village: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default="active", index=True)
    special_circumstances: Mapped[str | None] = mapped_column(Text)
    cash_at_home_allowed: Mapped[bool] = mapped_column(default=False)
    monthly_amount: Mapped[int | None]
    verification_status: Mapped[str] = mapped_column(String(16), default="unverified")
    verified_by: Mapped[str | None] = mapped_column(String(100))
    verified_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    person: Mapped[Person] = relationship()


class ContactAddress(Base):
    """One way to reach a person: `tel:+84…`, `telegram:<chat id>`, `zalo:<user id>`."""

    __tablename__ = "contact_addresses"
    __table_args__ = (UniqueConstraint("person_id", "address"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(100), index=True)
    priority: Mapped[int] = mapped_column(default=0)
    verified_at: Mapped[datetime | None]
    opted_out_at: Mapped[datetime | None]
    reachability: Mapped[str] = mapped_column(String(16), default="unknown")
    unreachable_reason: Mapped[str | None] = mapped_column(String(200))
    unreachable_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    person: Mapped[Person] = relationship(back_populates="addresses")


class Representation(Base):
    """A proxy, guardian or family caregiver acting for a beneficiary."""

    __tablename__ = "representations"

    id: Mapped[int] = mapped_column(primary_key=True)
    beneficiary_id: Mapped[int] = mapped_column(ForeignKey("beneficiaries.id"), index=True)
    proxy_person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    relationship_to: Mapped[str | None] = mapped_column(String(100))
    scope: Mapped[str] = mapped_column(String(32), default="all")
    valid_from: Mapped[date | None]
    valid_until: Mapped[date | None]
    evidence_ref: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    verified_by: Mapped[str | None] = mapped_column(String(100))
    verified_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    ended_reason: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    proxy: Mapped[Person] = relationship(foreign_keys=[proxy_person_id])


class Consent(Base):
    """Explicit consent with its evidence: purpose, notice version, channel, who gave it."""

    __tablename__ = "consents"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(32))
    notice_version: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(16))
    given_by_person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    given_at: Mapped[datetime] = mapped_column(default=utcnow)
    withdrawn_at: Mapped[datetime | None]
