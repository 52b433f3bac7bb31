"""The demo municipality: a Thessaloniki-shaped org chart, its staff and four logins."""

import random
from collections.abc import Callable
from dataclasses import dataclass

from sqlmodel import Session, col, select

from app.auth.models import Grant, Role, User
from app.core.db import bulk_insert, local_today
from app.core.security import hash_password
from app.org.models import Employee, Municipality, OrgUnit, OrgUnitClosure, UnitKind

from .names import DIRECTORATES, FEMALE_FIRST, JOB_TITLES, MALE_FIRST, OFFICES, SURNAMES
from .plans import seed_plans

DEMO_CODE = "THESS"
DEMO_LOGINS = {
    # username: (password, role, where)
    "admin": ("demo-admin-2026", "platform administrator", None),
    "quality": ("demo-quality-2026", Role.quality, "the municipality"),
    "editor": ("demo-editor-2026", Role.editor, "Τμήμα Διαχείρισης Ποιότητας Υπηρεσιών"),
    "viewer": ("demo-viewer-2026", Role.viewer, "the municipality"),
}


@dataclass
class SeedResult:
    created: bool
    municipality_id: int
    units: int
    employees: int
    items: int = 0
    kept_logins: tuple[str, ...] = ()  # usernames that existed already (passwords untouched)


def _plan_units(scale: float) -> list[tuple[str, list[str]]]:
    n_dirs = max(1, round(len(DIRECTORATES) * min(scale, 1.0)))
    target = max(n_dirs, round(100 * scale))
    dirs: list[tuple[str, list[str]]] = [(name, []) for name, _ in DIRECTORATES[:n_dirs]]
    pools = [list(deps) for _, deps in DIRECTORATES[:n_dirs]]
    i = extra = 0
    while sum(len(d) for _, d in dirs) < target:
        k = i % n_dirs
        if pools[k]:
            dirs[k][1].append(pools[k].pop(0))
        elif all(not p for p in pools):
            extra += 1
            dirs[k][1].append(f"Τμήμα Υποστήριξης {extra}")
        i += 1
    return dirs


def seed_demo(
    session: Session,
    *,
    scale: float = 1.0,
    seed: int = 2026,
    progress: Callable[[str, int], None] | None = None,
) -> SeedResult:
    """Create the demo municipality unless it exists. Bulk inserts: seconds, not minutes."""
    step = progress or (lambda _label, _n: None)
    existing = session.scalar(
        select(OrgUnit).where(col(OrgUnit.code) == DEMO_CODE, col(OrgUnit.parent_id).is_(None))
    )
    if existing is not None:
        return SeedResult(False, existing.municipality_id, 0, 0)
    rnd = random.Random(seed)  # noqa: S311 - demo data, not security
    muni = Municipality()
    session.add(muni)
    session.flush()
    assert muni.id is not None
    mid = muni.id

    def add_unit(code: str, name: str, kind: UnitKind, parent: OrgUnit | None) -> OrgUnit:
        unit = OrgUnit(
            municipality_id=mid,
            parent_id=parent.id if parent else None,
            code=code,
            name=name,
            kind=kind.value,
        )
        session.add(unit)
        return unit

    root = add_unit(DEMO_CODE, "Δήμος Θεσσαλονίκης", UnitKind.municipality, None)
    session.flush()
    units: list[OrgUnit] = []
    for d, (dir_name, deps) in enumerate(_plan_units(scale), start=1):
        directorate = add_unit(f"D{d:02d}", dir_name, UnitKind.directorate, root)
        session.flush()
        for t, dep_name in enumerate(deps, start=1):
            units.append(add_unit(f"D{d:02d}.T{t:02d}", dep_name, UnitKind.department, directorate))
        units.append(directorate)
    for o, name in enumerate(OFFICES[: max(1, round(len(OFFICES) * min(scale, 1.0)))], start=1):
        units.append(add_unit(f"A{o:02d}", name, UnitKind.office, root))
    session.flush()
    step("org units", len(units) + 1)

    by_id = {u.id: u for u in [root, *units]}
    closure = []
    for unit in by_id.values():
        depth = 0
        node_or_none: OrgUnit | None = unit
        while (node := node_or_none) is not None:
            closure.append(
                {
                    "municipality_id": mid,
                    "ancestor_id": node.id,
                    "descendant_id": unit.id,
                    "depth": depth,
                }
            )
            node_or_none = by_id.get(node.parent_id) if node.parent_id else None
            depth += 1
    bulk_insert(session, OrgUnitClosure, closure)

    staffed = [u for u in units if u.kind != UnitKind.directorate]
    n_staff = max(len(staffed), round(3000 * scale))
    rows = []
    for i in range(n_staff):
        unit = staffed[i % len(staffed)]
        male = rnd.random() < 0.5
        first = rnd.choice(MALE_FIRST if male else FEMALE_FIRST)
        last = rnd.choice(SURNAMES)[0 if male else 1]
        rows.append(
            {
                "municipality_id": mid,
                "org_unit_id": unit.id,
                "full_name": f"{first} {last}",
                "job_title": rnd.choice(JOB_TITLES),
                "email": None,
                "active": True,
                "version": 1,
            }
        )
        if len(rows) == 1000:
            bulk_insert(session, Employee, rows)
            step("employees", len(rows))
            rows = []
    if rows:
        bulk_insert(session, Employee, rows)
        step("employees", len(rows))

    quality_dept = next((u for u in units if u.name == DEMO_LOGINS["editor"][2]), staffed[0])
    kept: list[str] = []
    for username, (password, role, _where) in DEMO_LOGINS.items():
        if session.scalar(select(User.id).where(col(User.username) == username)) is not None:
            kept.append(username)
            continue
        user = User(
            username=username,
            full_name=f"Demo {username}",
            municipality_id=None if username == "admin" else mid,
            password_hash=hash_password(password),
            is_superuser=username == "admin",
        )
        session.add(user)
        session.flush()
        assert user.id is not None and root.id is not None
        if isinstance(role, Role):
            unit = quality_dept if role == Role.editor else root
            session.add(
                Grant(
                    municipality_id=mid,
                    user_id=user.id,
                    role=role.value,
                    org_unit_id=unit.id or root.id,
                )
            )
    session.flush()
    step("logins", len(DEMO_LOGINS))
    items = seed_plans(session, mid, today=local_today(), scale=scale, seed=seed, progress=step)
    return SeedResult(True, mid, len(units) + 1, n_staff, items, tuple(kept))
