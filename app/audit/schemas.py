from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict


class AuditEventPublic(BaseModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": 41,
                    "at": "2026-02-01T10:12:00Z",
                    "user_id": 3,
                    "action": "update",
                    "entity_type": "org_unit",
                    "entity_id": 7,
                    "municipality_id": 1,
                    "org_unit_id": 7,
                    "changes": {"name": {"before": "Τμήμα Α", "after": "Τμήμα Προγραμματισμού"}},
                }
            ]
        },
    )
    id: int
    at: datetime
    user_id: int | None
    action: str
    entity_type: str
    entity_id: int
    municipality_id: int | None
    org_unit_id: int | None
    changes: dict[str, Any]
