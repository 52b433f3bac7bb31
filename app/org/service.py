"""Rules of the org chart: tenants, units, the closure table, employees."""

from typing import Any

from sqlalchemy import delete, func, insert, literal, or_, true
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.audit.service import diff, record, snapshot
from app.auth.scope import Action, Caller, authorize_unit, scope_units_clause
from app.core.db import contains, utcnow
from app.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.org.models import Employee, Municipality, OrgUnit, OrgUnitClosure, UnitKind
from app.org.schemas import EmployeeCreate, EmployeeUpdate, OrgUnitCreate, OrgUnitUpdate

UNIT_FIELDS = ("parent_id", "code", "name", "kind", "active")
EMPLOYEE_FIELDS = ("org_unit_id", "full_name", "email", "job_title", "active")


def get_unit(
    session: Session, caller: Caller, unit_id: int, action: Action, *, for_update: bool = False
) -> OrgUnit:
    unit = session.get(OrgUnit, unit_id, with_for_update=for_update)
    if unit is None:
        raise NotFound(f"org unit {unit_id} not found")
    authorize_unit(session, caller, unit_id, action, what=f"org unit {unit_id}")
    return unit


def root_unit_id(session: Session, municipality_id: int) -> int | None:
    return session.scalar(
        select(OrgUnit.id).where(
            col(OrgUnit.municipality_id) == municipality_id, col(OrgUnit.parent_id).is_(None)
        )
    )


def _audit_unit(
    session: Session,
    caller: Caller,
    unit: OrgUnit,
    action: str,
    changes: dict[str, Any],
    *,
    scope_unit_id: int | None = None,
) -> None:
    assert unit.id is not None
    record(
        session,
        user_id=caller.id,
        action=action,
        entity_type="org_unit",
        entity_id=unit.id,
        municipality_id=unit.municipality_id,
        org_unit_id=scope_unit_id or unit.id,
        changes=changes,
    )


def _folded(text: Any) -> Any:
    return func.replace(func.lower(text), "ς", "σ")


def _ensure_code_free(
    session: Session, municipality_id: int, code: str, exclude_id: int | None = None
) -> None:
    # Both sides folded by the database, so that each backend compares like with like; and the
    # final sigma made a sigma, which Python's lower() writes (SQLite's lower() is Python's
    # here) and PostgreSQL's does not: "ΤΜΗΜΑΣ" and "τμημας" are one code on both.
    stmt = select(OrgUnit.id).where(
        col(OrgUnit.municipality_id) == municipality_id,
        _folded(OrgUnit.code) == _folded(literal(code)),
    )
    if exclude_id is not None:
        stmt = stmt.where(col(OrgUnit.id) != exclude_id)
    other = session.scalar(stmt)
    if other is not None:
        raise Conflict(f"code {code!r} is already used by org unit {other} of this municipality")


def _link_under(session: Session, *, root_id: int, parent_id: int, municipality_id: int) -> None:
    """Closure rows joining every ancestor of `parent_id` to the subtree rooted at `root_id`."""
    anc = (
        select(OrgUnitClosure.ancestor_id, OrgUnitClosure.depth)
        .where(col(OrgUnitClosure.descendant_id) == parent_id)
        .subquery()
    )
    sub = (
        select(OrgUnitClosure.descendant_id, OrgUnitClosure.depth)
        .where(col(OrgUnitClosure.ancestor_id) == root_id)
        .subquery()
    )
    session.execute(
        insert(OrgUnitClosure).from_select(
            ["municipality_id", "ancestor_id", "descendant_id", "depth"],
            select(
                literal(municipality_id),
                anc.c.ancestor_id,
                sub.c.descendant_id,
                anc.c.depth + sub.c.depth + 1,
            )
            # Every ancestor with every descendant: a deliberate cross join, said explicitly
            # (an implicit one makes SQLAlchemy warn of a cartesian product).
            .select_from(anc.join(sub, true())),
        )
    )


def create_unit(session: Session, *, caller: Caller, data: OrgUnitCreate) -> OrgUnit:
    if data.kind == UnitKind.municipality:
        if data.parent_id is not None:
            raise InvalidInput(
                "a municipality is the root of its tree: it has no parent",
                errors=[{"loc": ["body", "parent_id"], "message": "must be empty"}],
            )
        if not caller.is_superuser:
            raise Forbidden("only a platform administrator creates municipalities")
        muni = Municipality()
        session.add(muni)
        session.flush()
        assert muni.id is not None
        municipality_id, depth_parent = muni.id, None
    else:
        if data.parent_id is None:
            raise InvalidInput(
                f"a {data.kind.value} needs a parent unit",
                errors=[{"loc": ["body", "parent_id"], "message": "required"}],
            )
        parent = get_unit(session, caller, data.parent_id, Action.manage)
        if not parent.active:
            raise Conflict(f"org unit {parent.id} is inactive: units cannot be added under it")
        if parent.kind == UnitKind.office:
            raise InvalidInput(
                "an office has no units below it",
                errors=[{"loc": ["body", "parent_id"], "message": "is an office"}],
            )
        municipality_id, depth_parent = parent.municipality_id, parent.id
    _ensure_code_free(session, municipality_id, data.code)
    unit = OrgUnit(
        municipality_id=municipality_id,
        parent_id=data.parent_id,
        code=data.code,
        name=data.name,
        kind=data.kind.value,
    )
    session.add(unit)
    session.flush()
    assert unit.id is not None
    session.add(
        OrgUnitClosure(
            municipality_id=municipality_id, ancestor_id=unit.id, descendant_id=unit.id, depth=0
        )
    )
    session.flush()
    if depth_parent is not None:
        _link_under(
            session, root_id=unit.id, parent_id=depth_parent, municipality_id=municipality_id
        )
    _audit_unit(session, caller, unit, "create", diff(None, snapshot(unit, UNIT_FIELDS)))
    return unit


def _subtree_ids(session: Session, unit_id: int) -> list[int]:
    return list(
        session.scalars(
            select(OrgUnitClosure.descendant_id).where(col(OrgUnitClosure.ancestor_id) == unit_id)
        )
    )


def _move(session: Session, caller: Caller, unit: OrgUnit, new_parent_id: int) -> None:
    assert unit.id is not None
    if unit.parent_id is None:
        raise InvalidInput(
            "a municipality is the root of its tree and cannot be moved",
            errors=[{"loc": ["body", "parent_id"], "message": "must stay empty"}],
        )
    parent = session.get(OrgUnit, new_parent_id)
    if parent is None:
        raise InvalidInput(
            f"parent org unit {new_parent_id} does not exist",
            errors=[{"loc": ["body", "parent_id"], "message": "not found"}],
        )
    if parent.municipality_id != unit.municipality_id:
        raise InvalidInput(
            "the new parent belongs to another municipality",
            errors=[{"loc": ["body", "parent_id"], "message": "must be in the same municipality"}],
        )
    authorize_unit(session, caller, new_parent_id, Action.manage, what=f"org unit {new_parent_id}")
    subtree = _subtree_ids(session, unit.id)
    if new_parent_id in subtree:
        raise InvalidInput(
            f"org unit {new_parent_id} lies below org unit {unit.id}: the move would make a cycle",
            errors=[{"loc": ["body", "parent_id"], "message": "would make a cycle"}],
        )
    if parent.kind == UnitKind.office:
        raise InvalidInput(
            "an office has no units below it",
            errors=[{"loc": ["body", "parent_id"], "message": "is an office"}],
        )
    # Cut the subtree from its old ancestors, then hang it under the new parent.
    session.execute(
        delete(OrgUnitClosure).where(
            col(OrgUnitClosure.descendant_id).in_(subtree),
            col(OrgUnitClosure.ancestor_id).not_in(subtree),
        )
    )
    _link_under(
        session, root_id=unit.id, parent_id=new_parent_id, municipality_id=unit.municipality_id
    )


def update_unit(session: Session, *, caller: Caller, unit: OrgUnit, data: OrgUnitUpdate) -> OrgUnit:
    assert unit.id is not None
    changes = data.model_dump(exclude_unset=True)
    for key in ("code", "name", "kind", "active"):
        if key in changes and changes[key] is None:
            raise InvalidInput(
                f"{key} cannot be empty",
                errors=[{"loc": ["body", key], "message": "must not be null"}],
            )
    before = snapshot(unit, UNIT_FIELDS)
    if "kind" in changes and (changes["kind"] == UnitKind.municipality) != (unit.parent_id is None):
        raise InvalidInput(
            "only the root of a tree is a municipality",
            errors=[{"loc": ["body", "kind"], "message": "not allowed here"}],
        )
    if changes.get("kind") == UnitKind.office and unit.kind != UnitKind.office:
        below = session.scalar(select(func.count()).where(col(OrgUnit.parent_id) == unit.id))
        if below:
            raise Conflict(f"org unit {unit.id} has {below} units below it: an office has none")
    if "code" in changes and changes["code"] != unit.code:
        _ensure_code_free(session, unit.municipality_id, changes["code"], exclude_id=unit.id)
    if "parent_id" in changes and changes["parent_id"] != unit.parent_id:
        if changes["parent_id"] is None:
            raise InvalidInput(
                "only a municipality has no parent",
                errors=[{"loc": ["body", "parent_id"], "message": "required"}],
            )
        _move(session, caller, unit, changes["parent_id"])
    # As on create: an active unit never hangs below an inactive one (moved or reactivated).
    parent_id = changes.get("parent_id", unit.parent_id)
    if changes.get("active", unit.active) and (parent_id != unit.parent_id or not unit.active):
        parent = session.get(OrgUnit, parent_id) if parent_id is not None else None
        if parent is not None and not parent.active:
            raise Conflict(f"org unit {parent.id} is inactive: an active unit cannot be below it")
    if changes.get("active") is False and unit.active:
        below = session.scalar(
            select(func.count())
            .select_from(OrgUnit)
            .join(OrgUnitClosure, col(OrgUnitClosure.descendant_id) == OrgUnit.id)
            .where(
                col(OrgUnitClosure.ancestor_id) == unit.id,
                col(OrgUnitClosure.depth) > 0,
                col(OrgUnit.active).is_(True),
            )
        )
        if below:
            raise Conflict(
                f"org unit {unit.id} has {below} active units below it: deactivate them first"
            )
    for key, value in changes.items():
        setattr(unit, key, value.value if isinstance(value, UnitKind) else value)
    after = snapshot(unit, UNIT_FIELDS)
    if after != before:
        unit.version += 1
        unit.updated_at = utcnow()
        _audit_unit(session, caller, unit, "update", diff(before, after))
    session.flush()
    return unit


def delete_unit(session: Session, *, caller: Caller, unit: OrgUnit) -> None:
    assert unit.id is not None
    if unit.parent_id is None:
        raise Conflict("a municipality is deactivated, never deleted")
    children = session.scalar(select(func.count()).where(col(OrgUnit.parent_id) == unit.id))
    staff = session.scalar(select(func.count()).where(col(Employee.org_unit_id) == unit.id))
    if children or staff:
        raise Conflict(
            f"org unit {unit.id} has {children} units and {staff} employees: deactivate it instead"
        )
    before = snapshot(unit, UNIT_FIELDS)
    try:
        with session.begin_nested():
            session.execute(
                delete(OrgUnitClosure).where(col(OrgUnitClosure.descendant_id) == unit.id)
            )
            session.execute(delete(OrgUnit).where(col(OrgUnit.id) == unit.id))
    except IntegrityError:
        raise Conflict(
            f"org unit {unit.id} is referred to (by grants, plans or other records): "
            "deactivate it instead"
        ) from None
    # The unit's closure rows are gone: scope the event by the parent, or only a platform
    # administrator could ever read it.
    _audit_unit(session, caller, unit, "delete", diff(before, None), scope_unit_id=unit.parent_id)
    session.expunge(unit)


def list_units_stmt(
    caller: Caller,
    *,
    municipality_id: int | None,
    parent_id: int | None,
    under: int | None,
    kind: UnitKind | None,
    active: bool | None,
    q: str | None,
):
    stmt = select(OrgUnit)
    if not caller.is_superuser:
        stmt = stmt.where(scope_units_clause(caller, OrgUnit.id))
    if municipality_id is not None:
        stmt = stmt.where(col(OrgUnit.municipality_id) == municipality_id)
    if parent_id is not None:
        stmt = stmt.where(col(OrgUnit.parent_id) == parent_id)
    if under is not None:
        stmt = stmt.where(
            col(OrgUnit.id).in_(
                select(OrgUnitClosure.descendant_id).where(col(OrgUnitClosure.ancestor_id) == under)
            )
        )
    if kind is not None:
        stmt = stmt.where(col(OrgUnit.kind) == kind.value)
    if active is not None:
        stmt = stmt.where(col(OrgUnit.active).is_(active))
    if q:
        stmt = stmt.where(or_(contains(OrgUnit.name, q), contains(OrgUnit.code, q)))
    return stmt.order_by(col(OrgUnit.municipality_id), col(OrgUnit.code), col(OrgUnit.id))


def subtree(session: Session, unit: OrgUnit) -> list[OrgUnit]:
    """The unit and every unit below it, parents before children."""
    return list(
        session.scalars(
            select(OrgUnit)
            .join(OrgUnitClosure, col(OrgUnitClosure.descendant_id) == OrgUnit.id)
            .where(col(OrgUnitClosure.ancestor_id) == unit.id)
            .order_by(col(OrgUnitClosure.depth), col(OrgUnit.code))
        )
    )


# Employees ---------------------------------------------------------------------------------


def get_employee(
    session: Session, caller: Caller, employee_id: int, action: Action, *, for_update: bool = False
) -> Employee:
    emp = session.get(Employee, employee_id, with_for_update=for_update)
    if emp is None:
        raise NotFound(f"employee {employee_id} not found")
    authorize_unit(session, caller, emp.org_unit_id, action, what=f"employee {employee_id}")
    return emp


def _audit_employee(
    session: Session, caller: Caller, emp: Employee, action: str, changes: dict[str, Any]
) -> None:
    assert emp.id is not None
    record(
        session,
        user_id=caller.id,
        action=action,
        entity_type="employee",
        entity_id=emp.id,
        municipality_id=emp.municipality_id,
        org_unit_id=emp.org_unit_id,
        changes=changes,
    )


def _unit_for_staff(session: Session, caller: Caller, unit_id: int) -> OrgUnit:
    unit = get_unit(session, caller, unit_id, Action.manage)
    if not unit.active:
        raise Conflict(f"org unit {unit_id} is inactive: it takes no employees")
    return unit


def create_employee(session: Session, *, caller: Caller, data: EmployeeCreate) -> Employee:
    unit = _unit_for_staff(session, caller, data.org_unit_id)
    emp = Employee(
        municipality_id=unit.municipality_id,
        org_unit_id=data.org_unit_id,
        full_name=data.full_name,
        email=data.email,
        job_title=data.job_title,
    )
    session.add(emp)
    session.flush()
    _audit_employee(session, caller, emp, "create", diff(None, snapshot(emp, EMPLOYEE_FIELDS)))
    return emp


def update_employee(
    session: Session, *, caller: Caller, emp: Employee, data: EmployeeUpdate
) -> Employee:
    changes = data.model_dump(exclude_unset=True)
    for key in ("org_unit_id", "full_name", "active"):
        if key in changes and changes[key] is None:
            raise InvalidInput(
                f"{key} cannot be empty",
                errors=[{"loc": ["body", key], "message": "must not be null"}],
            )
    if "org_unit_id" in changes and changes["org_unit_id"] != emp.org_unit_id:
        unit = _unit_for_staff(session, caller, changes["org_unit_id"])
        if unit.municipality_id != emp.municipality_id:
            raise InvalidInput(
                "the unit belongs to another municipality",
                errors=[
                    {"loc": ["body", "org_unit_id"], "message": "must be in the same municipality"}
                ],
            )
    before = snapshot(emp, EMPLOYEE_FIELDS)
    for key, value in changes.items():
        setattr(emp, key, value)
    after = snapshot(emp, EMPLOYEE_FIELDS)
    if after != before:
        emp.version += 1
        emp.updated_at = utcnow()
        _audit_employee(session, caller, emp, "update", diff(before, after))
    session.flush()
    return emp


def delete_employee(session: Session, *, caller: Caller, emp: Employee) -> None:
    before = snapshot(emp, EMPLOYEE_FIELDS)
    try:
        with session.begin_nested():
            session.execute(delete(Employee).where(col(Employee.id) == emp.id))
    except IntegrityError:
        raise Conflict(f"employee {emp.id} is assigned to plan items: deactivate instead") from None
    _audit_employee(session, caller, emp, "delete", diff(before, None))
    session.expunge(emp)


def list_employees_stmt(
    caller: Caller,
    *,
    org_unit_id: int | None,
    under: int | None,
    active: bool | None,
    q: str | None,
):
    stmt = select(Employee)
    if not caller.is_superuser:
        stmt = stmt.where(scope_units_clause(caller, Employee.org_unit_id))
    if org_unit_id is not None:
        stmt = stmt.where(col(Employee.org_unit_id) == org_unit_id)
    if under is not None:
        stmt = stmt.where(
            col(Employee.org_unit_id).in_(
                select(OrgUnitClosure.descendant_id).where(col(OrgUnitClosure.ancestor_id) == under)
            )
        )
    if active is not None:
        stmt = stmt.where(col(Employee.active).is_(active))
    if q:
        stmt = stmt.where(contains(Employee.full_name, q))
    return stmt.order_by(col(Employee.full_name), col(Employee.id))
