"""Bodies of the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict


class AuditOut(BaseModel):
    """One entry: who did what to which record, when and why (values masked)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 901,
                    "at": "2026-11-27T02:00:00Z",
                    "actor": "lan.nt",
                    "action": "read_full",
                    "entity": "beneficiary",
                    "entity_id": "12",
                    "details": {"fields": ["cccd", "account"]},
                    "reason": "Đối chiếu hồ sơ chi trả tháng 11",
                }
            ]
        }
    )

    id: int
    at: datetime
    actor: str
    action: str
    entity: str
    entity_id: str | None
    details: dict[str, Any]
    reason: str | None
