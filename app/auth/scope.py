"""Who the caller is and what it may touch: the one scope check every endpoint uses.

A grant `(role, unit)` covers the unit and every unit below it. An object outside every
grant of the caller is reported as missing (404), so ids leak nothing; inside the scope but
without the role needed, the answer is 403.
"""

from dataclasses import dataclass, field
from enum import StrEnum

from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from app.auth.models import Grant, Role, User
from app.core.errors import Forbidden, OutOfScope
from app.org.models import OrgUnit, OrgUnitClosure


class Action(StrEnum):
    read = "read"
    edit = "edit"  # plans, items, outcomes of a unit
    review = "review"  # approve / return / reopen, cycles, metrics of a subtree
    manage = "manage"  # org chart, employees, users, grants


ALLOWED: dict[Action, frozenset[Role]] = {
    Action.read: frozenset(Role),
    Action.edit: frozenset({Role.admin, Role.editor}),
    Action.review: frozenset({Role.admin, Role.quality}),
    Action.manage: frozenset({Role.admin}),
}


@dataclass(frozen=True)
class Caller:
    user: User
    grants: tuple[tuple[Role, int, int], ...] = field(default=())  # (role, unit, municipality)

    @property
    def id(self) -> int:
        assert self.user.id is not None
        return self.user.id

    @property
    def is_superuser(self) -> bool:
        return self.user.is_superuser

    def granted_units(self, action: Action = Action.read) -> list[int]:
        return [unit for role, unit, _ in self.grants if role in ALLOWED[action]]

    def municipalities(self, action: Action = Action.read) -> set[int]:
        return {m for role, _, m in self.grants if role in ALLOWED[action]}


def load_caller(session: Session, user: User) -> Caller:
    rows = session.execute(
        select(Grant.role, Grant.org_unit_id, Grant.municipality_id).where(
            col(Grant.user_id) == user.id
        )
    ).all()
    return Caller(user=user, grants=tuple((Role(r), u, m) for r, u, m in rows))


# The user and its grants in one statement (one row per grant; one row with nulls for a user
# without any), built once: every authenticated request runs it.
_USER_AND_GRANTS = (
    select(User, Grant.role, Grant.org_unit_id, Grant.municipality_id)
    .outerjoin(Grant, col(Grant.user_id) == User.id)
    .where(col(User.id) == bindparam("user_id"))
    .order_by(col(Grant.id))
)


def load_user_and_caller(session: Session, user_id: int) -> Caller | None:
    """The user `user_id` (loaded into the session) with its grants; None if it does not exist."""
    rows = session.execute(_USER_AND_GRANTS, {"user_id": user_id}).all()
    if not rows:
        return None
    grants = tuple((Role(r), u, m) for _, r, u, m in rows if r is not None)
    return Caller(user=rows[0][0], grants=grants)


def roles_on_unit(session: Session, caller: Caller, unit_id: int) -> set[Role]:
    """The roles the caller holds on a unit through grants on it or on any unit above it."""
    if not caller.grants:
        return set()
    ancestors = set(
        session.scalars(
            select(OrgUnitClosure.ancestor_id).where(col(OrgUnitClosure.descendant_id) == unit_id)
        )
    )
    return {role for role, unit, _ in caller.grants if unit in ancestors}


def authorize_unit(
    session: Session, caller: Caller, unit_id: int, action: Action, *, what: str
) -> None:
    """Refuse unless the caller may do `action` on unit `unit_id`.

    `what` names the object for the 404 message (`plan 12`), so the caller learns only that
    it does not exist for them.
    """
    if caller.is_superuser:
        return
    roles = roles_on_unit(session, caller, unit_id)
    if not roles:
        raise OutOfScope(
            f"{what} not found", reason=f"{what}: no grant of the caller covers org unit {unit_id}"
        )
    if not roles & ALLOWED[action]:
        needed = ", ".join(sorted(r.value for r in ALLOWED[action]))
        raise Forbidden(f"{what}: this needs the role {needed} on its unit")


def scope_units_clause(caller: Caller, unit_column: object, action: Action = Action.read):
    """A WHERE clause keeping rows whose unit lies inside the caller's grants (for lists)."""
    covered = select(OrgUnitClosure.descendant_id).where(
        col(OrgUnitClosure.ancestor_id).in_(caller.granted_units(action))
    )
    return col(unit_column).in_(covered)


def municipality_of(session: Session, unit_id: int) -> int | None:
    return session.scalar(select(OrgUnit.municipality_id).where(col(OrgUnit.id) == unit_id))
