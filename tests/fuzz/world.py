"""The data the schema-driven tests run on: the World of tests/builders.py and, in it, one of
everything a path can name (cycles, plans in each state, items, outcomes, corrective actions,
baselines, grants, an import), so that a generated request reaches the code behind the id."""

from datetime import date
from decimal import Decimal

from sqlmodel import Session

from app.auth.models import Grant
from app.excel.models import ImportJob
from app.planning.models import PlanBaseline
from app.reporting.models import CorrectiveAction
from tests.builders import World, auth, employee
from tests.plan_builders import assign, cycle, item, outcome, plan


class FuzzWorld(World):
    def __init__(self, session: Session) -> None:
        super().__init__(session)
        s = session
        self.e11 = employee(s, self.t11, "Μαρία Παπαδοπούλου")
        self.e12 = employee(s, self.t12, "Γιώργος Νικολάου")
        self.eb = employee(s, self.bt11, "Ελένη Δημητρίου")
        self.cycles = [
            cycle(s, self.a, 2026),
            cycle(s, self.a, 2027),
            cycle(s, self.a, 2025, status="closed"),
            cycle(s, self.b, 2027),
        ]
        # T11: a draft plan with items, an approved plan being reported, a submitted one.
        self.draft = plan(s, self.t11, 2027)
        self.draft_items = [
            item(
                s,
                self.draft,
                "001",
                planned_start=date(2027, 2, 1),
                planned_end=date(2027, 6, 30),
                budget=Decimal("1000.00"),
                planned_absorption=Decimal("800.00"),
            ),
            item(s, self.draft, "002", kind="project"),
        ]
        assign(s, self.draft_items[0], self.e11)
        self.approved = plan(s, self.t11, 2026, status="approved", baseline_no=1)
        self.approved_items = [
            item(s, self.approved, "001", budget=Decimal("5000.00")),
            item(s, self.approved, "002"),
            item(s, self.approved, "003", unplanned=True),
        ]
        outcome(s, self.approved_items[0], "in_progress")
        s.add(
            PlanBaseline(
                municipality_id=self.approved.municipality_id,
                plan_id=self.approved.id,  # type: ignore[arg-type]
                baseline_no=1,
                plan_version=1,
                items=[{"id": self.approved_items[0].id, "code": "001", "title": "Ενέργεια 001"}],
            )
        )
        self.submitted = plan(s, self.t12, 2027, status="submitted")
        self.submitted_items = [item(s, self.submitted, "001")]
        self.returned = plan(s, self.t21, 2027, status="returned", return_comment="Λείπουν")
        self.returned_items = [item(s, self.returned, "001")]
        self.plan_b = plan(s, self.bt11, 2027)
        self.items_b = [item(s, self.plan_b, "001")]
        action = CorrectiveAction(
            municipality_id=self.approved.municipality_id,
            item_id=self.approved_items[0].id,  # type: ignore[arg-type]
            description="Επαναπροκήρυξη",
            owner_employee_id=self.e11.id,
        )
        s.add(action)
        s.flush()
        self.actions = [action]
        self.job = ImportJob(
            municipality_id=self.t11.municipality_id,
            org_unit_id=self.t11.id,  # type: ignore[arg-type]
            year=2027,
            user_id=self.editor.id,  # type: ignore[arg-type]
            filename="apologismos_T11_2027.xlsx",
            status="refused",
            summary={},
            problems=[],
            content=b"PK\x03\x04 not a workbook",
        )
        s.add(self.job)
        s.flush()
        # Read once: the test expires the session after every example.
        self.ids = self._ids()
        self.headers = {
            who: auth(getattr(self, who))
            for who in ("superuser", "admin", "quality", "editor", "viewer", "admin_b")
        } | {"anonymous": {}}
        self.etags: dict[str, str | None] = {}

    def _ids(self) -> dict[str, list[int]]:
        """The existing ids for each path parameter name."""
        units = [
            self.a,
            self.d1,
            self.t11,
            self.t12,
            self.d2,
            self.t21,
            self.b,
            self.bd1,
            self.bt11,
        ]
        plans = [self.draft, self.approved, self.submitted, self.returned, self.plan_b]
        items = [
            *self.draft_items,
            *self.approved_items,
            *self.submitted_items,
            *self.returned_items,
            *self.items_b,
        ]
        users = [self.superuser, self.admin, self.quality, self.editor, self.viewer, self.admin_b]
        grants = self.session.exec(
            Grant.__table__.select().with_only_columns(Grant.__table__.c.id)  # type: ignore[attr-defined]
        ).all()
        return {
            "unit_id": [u.id for u in units],  # type: ignore[misc]
            "employee_id": [e.id for e in (self.e11, self.e12, self.eb)],  # type: ignore[misc]
            "cycle_id": [c.id for c in self.cycles],  # type: ignore[misc]
            "plan_id": [p.id for p in plans],  # type: ignore[misc]
            "item_id": [i.id for i in items],  # type: ignore[misc]
            "user_id": [u.id for u in users],  # type: ignore[misc]
            "grant_id": [g[0] for g in grants],
            "action_id": [a.id for a in self.actions],  # type: ignore[misc]
            "job_id": [self.job.id],  # type: ignore[list-item]
            "baseline_no": [1],
        }
