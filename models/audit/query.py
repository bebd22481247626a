"""Reading the audit log: filters for who, what, which record and when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, select

from models.audit.tables import AuditEntry


@dataclass(frozen=True)
class AuditFilter:
    """What to look for; every field is optional and they combine with AND."""

    actor: str | None = None
    action: str | None = None
    entity: str | None = None
    entity_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def audit_query(wanted: AuditFilter) -> Select[AuditEntry]:
    """Entries matching `wanted`, newest first (`until` is exclusive)."""
    query = select(AuditEntry)
    for column, value in (
        (AuditEntry.actor, wanted.actor),
        (AuditEntry.action, wanted.action),
        (AuditEntry.entity, wanted.entity),
        (AuditEntry.entity_id, wanted.entity_id),
    ):
        if value is not None:
            query = query.where(column == value)
    if wanted.since is not None:
        query = query.where(AuditEntry.at >= wanted.since)
    if wanted.until is not None:
        query = query.where(AuditEntry.at < wanted.until)
    return query.order_by(AuditEntry.id.desc())
