"""Personal-data requests as officers handle them: entered, acknowledged, completed or refused."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.audit.service import record
from models.base import utcnow
from models.errors import Conflict
from models.people.tables import ContactAddress
from models.requests.service import DataRequestKind, create_data_request
from models.requests.tables import DataRequest


class DataRequestStatus(StrEnum):
    """Where a request stands; completed and rejected are final."""

    RECEIVED = "received"
    ACKNOWLEDGED = "acknowledged"
    COMPLETED = "completed"
    REJECTED = "rejected"


FINAL = (DataRequestStatus.COMPLETED.value, DataRequestStatus.REJECTED.value)


async def enter_data_request(
    session: AsyncSession,
    *,
    person_id: int,
    kind: DataRequestKind,
    details: str | None,
    actor: str,
    now: datetime | None = None,
) -> DataRequest:
    """A request the person made at the office (on paper or in person), with its deadlines."""
    address = await session.scalar(
        select(ContactAddress.address)
        .where(ContactAddress.person_id == person_id)
        .order_by(ContactAddress.priority, ContactAddress.id)
        .limit(1)
    )
    request = await create_data_request(
        session,
        kind=kind,
        channel="office",
        address=address or "",
        person_id=person_id,
        details=details,
        now=now,
    )
    request.handled_by = actor
    await record(
        session,
        actor=actor,
        action="create",
        entity="data_request",
        entity_id=request.id,
        details={"kind": request.kind},
    )
    return request


async def update_data_request(
    session: AsyncSession,
    *,
    request: DataRequest,
    status: DataRequestStatus,
    actor: str,
    outcome: str | None = None,
    now: datetime | None = None,
) -> DataRequest:
    """Move a request on; the first move acknowledges it, a final one completes it."""
    if request.status in FINAL:
        raise Conflict("admin.data_request.closed", status=request.status)
    now = now or utcnow()
    status = DataRequestStatus(status)
    if request.acknowledged_at is None and status != DataRequestStatus.RECEIVED:
        request.acknowledged_at = now
    if status.value in FINAL:
        request.completed_at = now
    request.status, request.handled_by = status.value, actor
    if outcome is not None:
        request.outcome = outcome
    await record(
        session,
        actor=actor,
        action="update",
        entity="data_request",
        entity_id=request.id,
        details={"status": request.status},
    )
    return request
