"""Small builders for test data, written straight to the test's session."""

from functools import lru_cache
from typing import Any

from sqlalchemy import insert, select
from sqlmodel import Session, col

from app.auth.models import Grant, Role, User
from app.core.security import create_access_token, hash_password
from app.org.models import Employee, Municipality, OrgUnit, OrgUnitClosure, UnitKind

PASSWORD = "correct horse battery staple"


@lru_cache
def _password_hash() -> str:
    return hash_password(PASSWORD)


def municipality(
    session: Session, code: str = "THESS", name: str = "Δήμος Θεσσαλονίκης"
) -> OrgUnit:
    muni = Municipality()
    session.add(muni)
    session.flush()
    return _unit(session, muni.id, None, code, name, UnitKind.municipality)  # type: ignore[arg-type]


def unit(
    session: Session,
    parent: OrgUnit,
    code: str,
    name: str | None = None,
    kind: UnitKind = UnitKind.department,
) -> OrgUnit:
    return _unit(session, parent.municipality_id, parent, code, name or f"Μονάδα {code}", kind)


def _unit(
    session: Session,
    municipality_id: int,
    parent: OrgUnit | None,
    code: str,
    name: str,
    kind: UnitKind,
) -> OrgUnit:
    u = OrgUnit(
        municipality_id=municipality_id,
        parent_id=parent.id if parent else None,
        code=code,
        name=name,
        kind=kind.value,
    )
    session.add(u)
    session.flush()
    rows: list[dict[str, Any]] = [
        {"municipality_id": municipality_id, "ancestor_id": u.id, "descendant_id": u.id, "depth": 0}
    ]
    if parent is not None:
        for anc, depth in session.execute(
            select(OrgUnitClosure.ancestor_id, OrgUnitClosure.depth).where(
                col(OrgUnitClosure.descendant_id) == parent.id
            )
        ):
            rows.append(
                {
                    "municipality_id": municipality_id,
                    "ancestor_id": anc,
                    "descendant_id": u.id,
                    "depth": depth + 1,
                }
            )
    session.execute(insert(OrgUnitClosure), rows)
    return u


def employee(session: Session, unit: OrgUnit, full_name: str = "Μαρία Παπαδοπούλου") -> Employee:
    e = Employee(municipality_id=unit.municipality_id, org_unit_id=unit.id, full_name=full_name)  # type: ignore[arg-type]
    session.add(e)
    session.flush()
    return e


def user(
    session: Session,
    username: str,
    *grants: tuple[Role, OrgUnit],
    superuser: bool = False,
    municipality_id: int | None = None,
) -> User:
    if municipality_id is None and grants:
        municipality_id = grants[0][1].municipality_id
    u = User(
        username=username,
        full_name=username.title(),
        password_hash=_password_hash(),
        is_superuser=superuser,
        municipality_id=municipality_id,
    )
    session.add(u)
    session.flush()
    for role, on in grants:
        session.add(
            Grant(
                municipality_id=on.municipality_id,
                user_id=u.id,
                role=role.value,  # type: ignore[arg-type]
                org_unit_id=on.id,
            )
        )  # type: ignore[arg-type]
    session.flush()
    return u


def auth(u: User) -> dict[str, str]:
    token, _ = create_access_token(user_id=u.id, epoch=u.token_epoch)  # type: ignore[arg-type]
    return {"Authorization": f"Bearer {token}"}


class World:
    """Two municipalities: A with two directorates and three departments, and B with one.

    A (THESS)
    ├── D1 ── T11, T12
    └── D2 ── T21
    B (VOLOS)
    └── BD1 ── BT11
    """

    def __init__(self, session: Session) -> None:
        self.session = session
        self.a = municipality(session, "THESS", "Δήμος Θεσσαλονίκης")
        self.d1 = unit(session, self.a, "D1", "Διεύθυνση Οικονομικών", UnitKind.directorate)
        self.t11 = unit(session, self.d1, "T11", "Τμήμα Λογιστηρίου")
        self.t12 = unit(session, self.d1, "T12", "Τμήμα Προμηθειών")
        self.d2 = unit(session, self.a, "D2", "Διεύθυνση Τεχνικών Έργων", UnitKind.directorate)
        self.t21 = unit(session, self.d2, "T21", "Τμήμα Μελετών")
        self.b = municipality(session, "VOLOS", "Δήμος Βόλου")
        self.bd1 = unit(session, self.b, "BD1", "Διεύθυνση Διοικητικών", UnitKind.directorate)
        self.bt11 = unit(session, self.bd1, "BT11", "Τμήμα Προσωπικού")
        self.superuser = user(session, "root", superuser=True)
        self.admin = user(session, "admin-a", (Role.admin, self.a))
        self.quality = user(session, "quality-a", (Role.quality, self.a))
        self.editor = user(session, "editor-t11", (Role.editor, self.t11))
        self.viewer = user(session, "viewer-d1", (Role.viewer, self.d1))
        self.admin_b = user(session, "admin-b", (Role.admin, self.b))
        self.quality_b = user(session, "quality-b", (Role.quality, self.b))
        self.nobody = user(session, "nobody", municipality_id=self.a.municipality_id)
