from datetime import datetime

from pydantic import BaseModel, ConfigDict


class CellProblem(BaseModel):
    sheet: str
    cell: str
    column: str
    value: str
    message: str


class SheetSummary(BaseModel):
    created: int
    updated: int
    deleted: int
    unchanged: int
    conflicts: int


class ImportResult(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 12,
                    "status": "dry_run",
                    "org_unit_id": 7,
                    "year": 2027,
                    "filename": "apologismos_D04.T2_2027.xlsx",
                    "created_at": "2027-01-20T10:00:00Z",
                    "summary": {
                        "plan": {
                            "created": 3,
                            "updated": 5,
                            "deleted": 0,
                            "unchanged": 40,
                            "conflicts": 0,
                        },
                        "report": {
                            "created": 38,
                            "updated": 0,
                            "deleted": 0,
                            "unchanged": 4,
                            "conflicts": 0,
                        },
                    },
                    "problems": [
                        {
                            "sheet": "Προγραμματισμός",
                            "cell": "H12",
                            "column": "Λήξη",
                            "value": "31/02/2027",
                            "message": "«31/02/2027» δεν είναι υπαρκτή ημερομηνία",
                        }
                    ],
                    "annotated_url": "/api/v1/imports/12/annotated",
                }
            ]
        }
    )
    id: int
    status: str
    org_unit_id: int
    year: int
    filename: str
    created_at: datetime
    summary: dict[str, SheetSummary]
    problems: list[CellProblem]
    annotated_url: str | None
