"""Imports every table module so the metadata is complete (for Alembic and tests)."""

from models.audit import tables as audit_tables
from models.base import Base
from models.messaging import tables as messaging_tables
from models.payments import tables as payment_tables
from models.people import tables as people_tables
from models.places import tables as place_tables

__all__ = [
    "Base",
    "audit_tables",
    "messaging_tables",
    "payment_tables",
    "people_tables",
    "place_tables",
]
