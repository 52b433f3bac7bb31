"""Applying a unit workbook: rows become the same schema objects as the JSON API and are
checked, one by one so that every problem is found, by the same writers as the API
(`ItemWriter`, `put_outcomes`); each sheet returns what writes it, a few statements whatever
the number of rows, run only when no sheet has a problem and it is not a dry run."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from sqlmodel import Session, col, select

from app.auth.scope import Caller
from app.core.errors import DomainError
from app.excel.columns import PLAN_COLUMNS, PLAN_SHEET, REPORT_COLUMNS, REPORT_SHEET
from app.excel.messages import greek, pydantic_greek
from app.excel.reader import find_header
from app.excel.rows import Problem, Row, Staff, parse_rows
from app.excel.values import fold
from app.org.models import OrgUnit
from app.planning import service as plan_service
from app.planning.items import ItemWriter
from app.planning.models import Item, Plan
from app.planning.schemas import ItemFields, ItemUpdate, PlanCreate
from app.reporting.schemas import OutcomeFields
from app.reporting.service import ensure_report_editable, plan_outcomes, put_outcomes

ITEM_KEYS = frozenset(ItemFields.model_fields)
OUTCOME_KEYS = tuple(OutcomeFields.model_fields)
REPORT_KEYS = frozenset(("id", "version", *OUTCOME_KEYS))


@dataclass
class SheetCounts:
    created: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    conflicts: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


@dataclass
class Applied:
    plan: SheetCounts = field(default_factory=SheetCounts)
    report: SheetCounts = field(default_factory=SheetCounts)
    problems: list[Problem] = field(default_factory=list)


def _row_problem(out: Applied, sheet: str, row: Row, key: str, message: str) -> None:
    cell = row.cells.get(key) or next(iter(row.cells.values()), f"A{row.number}")
    header = next((c.header for c in (*PLAN_COLUMNS, *REPORT_COLUMNS) if c.key == key), key)
    raw = row.raw.get(key)
    out.problems.append(Problem(sheet, cell, header, "" if raw is None else str(raw), message))


def _validation_problems(out: Applied, sheet: str, row: Row, exc: ValidationError) -> None:
    for err in exc.errors():
        key = str(err["loc"][0]) if err["loc"] else "title"
        _row_problem(
            out,
            sheet,
            row,
            "assignees" if key == "assignee_ids" else key,
            pydantic_greek(dict(err)),
        )


def _domain_problem(out: Applied, sheet: str, row: Row, exc: DomainError, key: str) -> None:
    locs = [e.get("loc", []) for e in exc.errors or []]
    fields = [loc[1] for loc in locs if len(loc) > 1 and isinstance(loc[1], str)]
    target = fields[0] if fields else key
    _row_problem(
        out, sheet, row, "assignees" if target == "assignee_ids" else target, greek(exc.detail)
    )


def _as_fields(row: Row) -> dict[str, Any]:
    # A blank cell takes the field's default (none, or weight 1), as an omitted JSON field does.
    values = {k: v for k, v in row.values.items() if k in ITEM_KEYS and v is not None}
    values["assignee_ids"] = sorted(row.values.get("assignees") or [])
    return values


def import_plan_sheet(
    session: Session,
    caller: Caller,
    unit: OrgUnit,
    year: int,
    rows: list[list[Any]],
    staff: Staff,
    out: Applied,
) -> Callable[[], Any] | None:
    """Check the plan sheet's rows against the plan of `year`; what would write them (run
    only when no sheet has a problem and it is not a dry run), or none when nothing changes."""
    header = find_header(rows, PLAN_COLUMNS)
    if header is None:
        out.problems.append(
            Problem(
                PLAN_SHEET,
                "A1",
                "",
                "",
                "δεν βρέθηκαν οι επικεφαλίδες των στηλών (π.χ. «Είδος», «Τίτλος ενέργειας»)",
            )
        )
        return None
    parsed = parse_rows(PLAN_SHEET, rows, header, PLAN_COLUMNS, out.problems, staff=staff)
    plan = session.scalar(
        select(Plan)
        .where(col(Plan.org_unit_id) == unit.id, col(Plan.year) == year)
        .with_for_update()
    )
    existing: dict[int, Item] = {}
    if plan is not None:
        for i in session.scalars(
            select(Item).where(col(Item.plan_id) == plan.id, col(Item.unplanned).is_(False))
        ):
            assert i.id is not None
            existing[i.id] = i
    claimed: dict[int, Row] = {}
    fresh: list[Row] = []
    for row in parsed:
        item_id = row.values.get("id")
        if item_id is None:
            fresh.append(row)
        elif item_id in existing and item_id not in claimed:
            claimed[item_id] = row
        else:
            row.ok = False
            _row_problem(
                out,
                PLAN_SHEET,
                row,
                "title",
                "η ενέργεια δεν υπάρχει πια σε αυτό το πρόγραμμα (διαγράφηκε μετά τη "
                "λήψη του αρχείου ή η γραμμή αντιγράφηκε): κατεβάστε νέο αρχείο",
            )
    # A row without id is an item typed in by the clerk: if the same item was imported before
    # (same code, or same title and kind), it is that item, so a second upload changes nothing.
    by_code: dict[str, list[int]] = {}
    by_title: dict[tuple[str, Any], list[int]] = {}
    for item_id, item in existing.items():
        if item_id not in claimed:
            by_code.setdefault(fold(item.code), []).append(item_id)
            by_title.setdefault((fold(item.title), item.kind), []).append(item_id)
    for row in fresh if existing else []:
        code, title, kind = row.values.get("code"), row.values.get("title"), row.values.get("kind")
        if code:
            same = by_code.get(fold(code), [])
        elif title:
            same = by_title.get((fold(title), kind), [])
        else:
            continue
        match = next((i for i in same if i not in claimed), None)
        if match is not None:
            claimed[match] = row
            row.values["id"] = match
    changes: list[tuple[str, Row, ItemFields, Item | None]] = []
    writer = None if plan is None else ItemWriter(session, caller=caller, plan=plan)
    if writer is not None:
        writer.load_assignees(existing)
    for row in parsed:
        if not row.ok:
            continue
        item_id = row.values.get("id")
        try:
            wanted = ItemFields.model_validate(_as_fields(row))
        except ValidationError as exc:
            _validation_problems(out, PLAN_SHEET, row, exc)
            continue
        if item_id is None:
            changes.append(("create", row, wanted, None))
            continue
        assert writer is not None  # the row names an item of the plan
        item = existing[item_id]
        current = ItemFields.model_validate(writer.current(item)).model_dump()
        proposed = wanted.model_dump()
        if proposed["code"] is None:
            proposed["code"] = current["code"]
        if proposed == current:
            out.plan.unchanged += 1
        elif row.values.get("version") not in (None, item.version):
            out.plan.conflicts += 1
            _row_problem(
                out,
                PLAN_SHEET,
                row,
                "title",
                f"η ενέργεια {item.code} άλλαξε στο σύστημα μετά τη λήψη του αρχείου: "
                "κατεβάστε νέο αρχείο και ξανακάντε την αλλαγή",
            )
        else:
            changes.append(("update", row, wanted, item))
    removed = [item for item_id, item in existing.items() if item_id not in claimed]
    if not changes and not removed:
        return None
    if plan is None:
        try:
            with session.begin_nested():
                assert unit.id is not None
                plan = plan_service.create_plan(
                    session, caller=caller, data=PlanCreate(org_unit_id=unit.id, year=year)
                )
        except DomainError as exc:
            out.problems.append(Problem(PLAN_SHEET, "A1", "", "", greek(exc.detail)))
            return None
        writer = ItemWriter(session, caller=caller, plan=plan)
    assert writer is not None
    try:
        plan_service.ensure_editable(session, plan)
    except DomainError as exc:
        for _, row, _, _ in changes:
            _row_problem(out, PLAN_SHEET, row, "title", greek(exc.detail))
        if removed:
            out.problems.append(Problem(PLAN_SHEET, "A1", "", "", greek(exc.detail)))
        return None
    writer.load_staff(e for _, _, wanted, _ in changes for e in wanted.assignee_ids)
    for action, row, wanted, target in changes:
        try:
            if action == "create":
                writer.create(wanted)
                out.plan.created += 1
            else:
                assert target is not None
                patch = wanted.model_dump(exclude={"code"} if wanted.code is None else set())
                writer.update(target, ItemUpdate.model_validate(patch))
                out.plan.updated += 1
        except DomainError as exc:
            _domain_problem(out, PLAN_SHEET, row, exc, "title")
    if removed:
        try:
            writer.delete(removed)
            out.plan.deleted += len(removed)
        except DomainError as exc:
            out.problems.append(Problem(PLAN_SHEET, "A1", "", "", greek(exc.detail)))
    return writer.write


def _current_outcome(outcome: Any) -> dict[str, Any] | None:
    if outcome is None:
        return None
    return OutcomeFields.model_validate({k: getattr(outcome, k) for k in OUTCOME_KEYS}).model_dump()


def import_report_sheet(
    session: Session, caller: Caller, unit: OrgUnit, year: int, rows: list[list[Any]], out: Applied
) -> Callable[[], Any] | None:
    """Check the report sheet's rows against the plan of `year − 1`; what would write them."""
    header = find_header(rows, REPORT_COLUMNS)
    if header is None:
        out.problems.append(
            Problem(
                REPORT_SHEET,
                "A1",
                "",
                "",
                "δεν βρέθηκαν οι επικεφαλίδες των στηλών (π.χ. «Κατάσταση»)",
            )
        )
        return None
    # The item's own columns (code, title, dates, budget) are there for the clerk to read: the
    # report changes outcomes only, so only their cells and the hidden id and version are read.
    parsed = parse_rows(REPORT_SHEET, rows, header, REPORT_COLUMNS, out.problems, keys=REPORT_KEYS)
    plan = session.scalar(
        select(Plan)
        .where(col(Plan.org_unit_id) == unit.id, col(Plan.year) == year - 1)
        .with_for_update()
    )
    # The plan's items by id, with their codes (all a report row needs of an item).
    codes: dict[int, str] = (
        {}
        if plan is None
        else dict(
            session.execute(select(Item.id, Item.code).where(col(Item.plan_id) == plan.id)).all()
        )
    )
    outcomes = {} if plan is None or plan.id is None else plan_outcomes(session, plan.id)
    wanted_rows: list[tuple[Row, int, OutcomeFields]] = []
    for row in parsed:
        if not row.ok:
            continue
        given = {k: row.values.get(k) for k in OUTCOME_KEYS}
        item_id = row.values.get("id")
        code = codes.get(item_id) if item_id is not None else None
        if code is None or item_id is None:
            if any(v is not None for v in given.values()):
                _row_problem(
                    out,
                    REPORT_SHEET,
                    row,
                    "title",
                    "η γραμμή δεν αντιστοιχεί σε ενέργεια του προγράμματος "
                    f"{year - 1}: νέες ενέργειες του απολογισμού προστίθενται στην "
                    "εφαρμογή ως μη προγραμματισμένες",
                )
            continue
        outcome = outcomes.get(item_id)
        if all(v is None for v in given.values()) and outcome is None:
            out.report.unchanged += 1
            continue
        try:
            # A blank cell is an omitted field: a row without a status is "missing" it.
            wanted = OutcomeFields.model_validate({k: v for k, v in given.items() if v is not None})
        except ValidationError as exc:
            _validation_problems(out, REPORT_SHEET, row, exc)
            continue
        current = _current_outcome(outcome)
        if current == wanted.model_dump():
            out.report.unchanged += 1
            continue
        version = row.values.get("version")
        if version is not None and version != (outcome.version if outcome else 0):
            out.report.conflicts += 1
            _row_problem(
                out,
                REPORT_SHEET,
                row,
                "status",
                f"το αποτέλεσμα της ενέργειας {code} άλλαξε στο σύστημα μετά τη "
                "λήψη του αρχείου: κατεβάστε νέο αρχείο",
            )
            continue
        wanted_rows.append((row, item_id, wanted))
        if outcome is None:
            out.report.created += 1
        else:
            out.report.updated += 1
    if not wanted_rows or plan is None:
        return None
    try:
        ensure_report_editable(session, plan)
    except DomainError as exc:
        for row, _, _ in wanted_rows:
            _domain_problem(out, REPORT_SHEET, row, exc, "status")
        return None
    report_plan = plan
    return lambda: put_outcomes(
        session,
        caller=caller,
        plan=report_plan,
        wanted=[(item_id, wanted) for _, item_id, wanted in wanted_rows],
        current=outcomes,
    )
