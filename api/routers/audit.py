"""The audit log: read-only, for auditors and province administrators."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends

from api.deps import PagingDep, SessionDep, page_of, require
from api.schemas.audit import AuditOut
from api.schemas.common import PROBLEMS, Page
from api.schemas.fields import Text
from models.audit.query import AuditFilter, audit_query
from models.officers.principal import Principal
from models.officers.roles import AUDIT

router = APIRouter(prefix="/audit", tags=["audit"], responses=PROBLEMS)
Auditor = Annotated[Principal, Depends(require(*AUDIT))]


@router.get("", summary="Read the audit log", response_model=Page[AuditOut])
async def audit_log(
    principal: Auditor,
    session: SessionDep,
    paging: PagingDep,
    actor: Text | None = None,
    action: Text | None = None,
    entity: Text | None = None,
    entity_id: Text | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Page[AuditOut]:
    """Entries newest first; `since` inclusive, `until` exclusive. Nobody can change them."""
    del principal  # the role is the only check: the log has no areas
    wanted = AuditFilter(actor, action, entity, entity_id, since, until)
    entries, total = await page_of(session, audit_query(wanted), paging)
    items = [AuditOut.model_validate(e, from_attributes=True) for e in entries]
    return Page(items=items, total=total, limit=paging.limit, offset=paging.offset)
