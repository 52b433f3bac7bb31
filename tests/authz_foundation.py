"""Authorization matrix entries of authentication, users, the org chart and the audit trail."""

from sqlalchemy import select
from sqlmodel import Session

from app.audit.models import AuditEvent
from app.audit.service import record
from app.auth.models import Grant, User
from app.org.models import Employee, OrgUnit, UnitKind
from tests.authz_cases import (
    Case,
    Req,
    everyone,
    manage_unit,
    manage_user,
    read_unit,
    units_of,
)
from tests.builders import PASSWORD, World, employee, unit
from tests.helpers import API, if_match


def visible_units(session: Session, w: World, who: str) -> set[int]:
    return units_of(w, who)


def visible_employees(session: Session, w: World, who: str) -> set[int]:
    stmt = select(Employee.id).where(Employee.org_unit_id.in_(units_of(w, who)))  # type: ignore[union-attr]
    return set(session.scalars(stmt))


def visible_events(session: Session, w: World, who: str) -> set[int]:
    stmt = select(AuditEvent.id).where(AuditEvent.org_unit_id.in_(units_of(w, who)))  # type: ignore[union-attr]
    return set(session.scalars(stmt))


def visible_users(session: Session, w: World, who: str) -> set[int]:
    if who == "superuser":
        return set(session.scalars(select(User.id)))
    municipality = {"admin": w.a, "admin_b": w.b}[who].municipality_id
    return set(session.scalars(select(User.id).where(User.municipality_id == municipality)))  # type: ignore[arg-type]


def staffed(w: World) -> Employee:
    """An employee in every unit below the roots; returns the one of T11."""
    found = None
    for name in ("d1", "t11", "t12", "d2", "t21", "bd1", "bt11"):
        e = employee(w.session, getattr(w, name), f"Υπάλληλος {name.upper()}")
        found = e if name == "t11" else found
    assert found is not None
    return found


def with_events(w: World) -> None:
    for name in ("a", "d1", "t11", "t12", "d2", "t21", "b", "bd1", "bt11"):
        u = getattr(w, name)
        record(
            w.session,
            user_id=None,
            action="update",
            entity_type="org_unit",
            entity_id=u.id,
            municipality_id=u.municipality_id,
            org_unit_id=u.id,
            changes={},
        )
    w.session.flush()


def grant_of(w: World, u: User) -> int:
    found = w.session.scalar(select(Grant.id).where(Grant.user_id == u.id))  # type: ignore[arg-type]
    assert found is not None
    return found


def office_below_t11(w: World) -> Req:
    u = unit(w.session, w.t11, "T11.A", "Γραφείο Πρωτοκόλλου", UnitKind.office)
    return Req("DELETE", f"{API}/org-units/{u.id}", headers=if_match(1), row=(OrgUnit, u.id))


def employee_req(method: str, w: World, body: object = None) -> Req:
    e = staffed(w)
    return Req(
        method, f"{API}/employees/{e.id}", json=body, headers=if_match(1), row=(Employee, e.id)
    )


NEW_USER = {
    "username": "new.clerk",
    "full_name": "Νέος Υπάλληλος",
    "password": "a long passphrase of his",
}
NEW_PASSWORD = {"current_password": PASSWORD, "new_password": "another long passphrase 2027"}

FOUNDATION: dict[tuple[str, str], Case] = {
    # Authentication: the login is public; the rest concern the caller itself.
    ("POST", "/auth/token"): Case(
        lambda w, me: Req(
            "POST", f"{API}/auth/token", data={"username": me.username, "password": PASSWORD}
        ),
        everyone(200),
        public=True,
    ),
    ("GET", "/auth/me"): Case(lambda w, me: Req("GET", f"{API}/auth/me"), everyone(200)),
    ("POST", "/auth/logout"): Case(lambda w, me: Req("POST", f"{API}/auth/logout"), everyone(204)),
    ("POST", "/auth/password"): Case(
        lambda w, me: Req("POST", f"{API}/auth/password", json=NEW_PASSWORD), everyone(204)
    ),
    # Users and grants: administrators of the user's municipality.
    ("GET", "/users"): Case(
        lambda w, me: Req("GET", f"{API}/users?limit=500"),
        everyone(403) | {"superuser": 200, "admin": 200, "admin_b": 200},
        visible=visible_users,
    ),
    ("POST", "/users"): Case(
        lambda w, me: Req(
            "POST", f"{API}/users", json=NEW_USER | {"municipality_id": w.a.municipality_id}
        ),
        manage_user(201),
    ),
    ("GET", "/users/{user_id}"): Case(
        lambda w, me: Req("GET", f"{API}/users/{w.editor.id}"), manage_user(200)
    ),
    ("PATCH", "/users/{user_id}"): Case(
        lambda w, me: Req(
            "PATCH",
            f"{API}/users/{w.editor.id}",
            json={"full_name": "Άλλο Όνομα"},
            headers=if_match(1),
            row=(User, w.editor.id),
        ),
        manage_user(200),
    ),
    ("GET", "/users/{user_id}/grants"): Case(
        lambda w, me: Req("GET", f"{API}/users/{w.editor.id}/grants"), manage_user(200)
    ),
    ("POST", "/users/{user_id}/grants"): Case(
        lambda w, me: Req(
            "POST",
            f"{API}/users/{w.nobody.id}/grants",
            json={"role": "viewer", "org_unit_id": w.t11.id},
        ),
        manage_user(201),
    ),
    ("DELETE", "/users/{user_id}/grants/{grant_id}"): Case(
        lambda w, me: Req("DELETE", f"{API}/users/{w.editor.id}/grants/{grant_of(w, w.editor)}"),
        manage_user(204),
    ),
    # The org chart.
    ("GET", "/org-units"): Case(
        lambda w, me: Req("GET", f"{API}/org-units?limit=500"),
        everyone(200),
        visible=visible_units,
    ),
    ("POST", "/org-units"): Case(
        lambda w, me: Req(
            "POST",
            f"{API}/org-units",
            json={"parent_id": w.t11.id, "code": "T11.B", "name": "Γραφείο", "kind": "office"},
        ),
        manage_unit(201),
    ),
    ("GET", "/org-units/{unit_id}"): Case(
        lambda w, me: Req("GET", f"{API}/org-units/{w.t11.id}"), read_unit()
    ),
    ("GET", "/org-units/{unit_id}/tree"): Case(
        lambda w, me: Req("GET", f"{API}/org-units/{w.t11.id}/tree"), read_unit()
    ),
    ("PATCH", "/org-units/{unit_id}"): Case(
        lambda w, me: Req(
            "PATCH",
            f"{API}/org-units/{w.t11.id}",
            json={"name": "Τμήμα Ταμείου"},
            headers=if_match(1),
            row=(OrgUnit, w.t11.id),
        ),
        manage_unit(200),
    ),
    ("DELETE", "/org-units/{unit_id}"): Case(lambda w, me: office_below_t11(w), manage_unit(204)),
    # Employees.
    ("GET", "/employees"): Case(
        lambda w, me: (staffed(w), Req("GET", f"{API}/employees?limit=500"))[1],
        everyone(200),
        visible=visible_employees,
    ),
    ("POST", "/employees"): Case(
        lambda w, me: Req(
            "POST",
            f"{API}/employees",
            json={"org_unit_id": w.t11.id, "full_name": "Νέα Υπάλληλος"},
        ),
        manage_unit(201),
    ),
    ("GET", "/employees/{employee_id}"): Case(lambda w, me: employee_req("GET", w), read_unit()),
    ("PATCH", "/employees/{employee_id}"): Case(
        lambda w, me: employee_req("PATCH", w, {"job_title": "Προϊσταμένη"}), manage_unit(200)
    ),
    ("DELETE", "/employees/{employee_id}"): Case(
        lambda w, me: employee_req("DELETE", w), manage_unit(204)
    ),
    # The audit trail.
    ("GET", "/audit-events"): Case(
        lambda w, me: (with_events(w), Req("GET", f"{API}/audit-events?limit=500"))[1],
        everyone(200),
        visible=visible_events,
    ),
}
