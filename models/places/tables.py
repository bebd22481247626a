"""Areas, organisations and service points."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, utcnow

# the codes of the area levels the shipped data uses (rows of area_levels)
PROVINCE = "province"
COMMUNE = "commune"
DISTRICT = "district"
LEGACY_COMMUNE = "legacy_commune"


class AreaLevel(Base):
    """One level of the area tree (province, district, commune...): data, not code."""

    __tablename__ = "area_levels"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    depth: Mapped[int]
    name_vi: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    legacy: Mapped[bool] = mapped_column(default=False)


class Area(Base):
    """An administrative unit; legacy units (before 2025-07-01) are kept for old lists."""

    __tablename__ = "areas"
    __table_args__ = (UniqueConstraint("level", "code", "legacy"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16))
    level: Mapped[str] = mapped_column(ForeignKey("area_levels.code"))
    kind: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    search_name: Mapped[str] = mapped_column(String(200), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"), index=True)
    legacy: Mapped[bool] = mapped_column(default=False)
    valid_from: Mapped[date | None]
    valid_until: Mapped[date | None]
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]

    parent: Mapped[Area | None] = relationship(remote_side=[id])


class AreaConversion(Base):
    """Official old-to-new link; an old unit split over several new ones is `partial`."""

    __tablename__ = "area_conversions"
    __table_args__ = (UniqueConstraint("legacy_area_id", "current_area_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    legacy_area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    current_area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    partial: Mapped[bool] = mapped_column(default=False)


class Organisation(Base):
    """A department, commune People's Committee, bank, post office or payer."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(300))
    short_name: Mapped[str | None] = mapped_column(String(100))
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"))
    bank_bin: Mapped[str | None] = mapped_column(String(8))
    phone: Mapped[str | None] = mapped_column(String(32))
    address: Mapped[str | None] = mapped_column(String(300))


class ServicePoint(Base):
    """An ATM, bank branch, post office or withdrawal/payment point."""

    __tablename__ = "service_points"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    operator_name: Mapped[str | None] = mapped_column(String(200))
    commune_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    address: Mapped[str] = mapped_column(String(300))
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    opening_hours: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default="active")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
