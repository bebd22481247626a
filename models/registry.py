"""Imports every table module so the metadata is complete (for Alembic and tests)."""

from models.audit import tables as audit_tables
from models.base import Base
from models.conversations import tables as conversation_tables
from models.messaging import tables as messaging_tables
from models.officers import tables as officer_tables
from models.outreach import tables as outreach_tables
from models.paylists import tables as paylist_tables
from models.payments import tables as payment_tables
from models.people import tables as people_tables
from models.places import tables as place_tables
from models.reports import tables as report_tables
from models.requests import tables as request_tables

__all__ = [
    "Base",
    "audit_tables",
    "conversation_tables",
    "messaging_tables",
    "officer_tables",
    "outreach_tables",
    "paylist_tables",
    "payment_tables",
    "people_tables",
    "place_tables",
    "report_tables",
    "request_tables",
]
