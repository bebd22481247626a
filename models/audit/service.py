"""Writing the audit log."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from models.audit.tables import AuditEntry


async def record(
    session: AsyncSession,
    *,
    actor: str,
    action: str,
    entity: str,
    entity_id: object | None = None,
    details: dict[str, Any] | None = None,
    reason: str | None = None,
) -> AuditEntry:
    """Append one audit entry inside the caller's transaction. `details` must be masked."""
    entry = AuditEntry(
        actor=actor,
        action=action,
        entity=entity,
        entity_id=None if entity_id is None else str(entity_id),
        details=details or {},
        reason=reason,
    )
    session.add(entry)
    return entry
