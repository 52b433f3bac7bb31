"""Logins, throttling, users and grants."""

from datetime import timedelta
from typing import Any

from sqlalchemy import delete, func, or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from app.audit.service import diff, record, snapshot
from app.auth import events
from app.auth.models import Grant, LoginFailure, Role, User
from app.auth.schemas import GrantCreate, GrantPublic, UserCreate, UserPublic, UserUpdate
from app.auth.scope import Action, Caller, authorize_unit
from app.core.config import get_settings
from app.core.db import contains, utcnow
from app.core.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    OutOfScope,
    TooManyRequests,
)
from app.core.security import (
    create_access_token,
    dummy_hash,
    hash_password,
    password_problems,
    verify_password,
)
from app.org.models import OrgUnit
from app.org.service import root_unit_id

USER_FIELDS = ("username", "full_name", "email", "active", "is_superuser", "municipality_id")


# Login ---------------------------------------------------------------------------------------


def _check_throttle(session: Session, *, username: str, client: str, route: str) -> None:
    s = get_settings()
    since = utcnow() - timedelta(seconds=s.login_window_seconds)
    by_user = session.scalar(
        select(func.count()).where(
            col(LoginFailure.username) == username, col(LoginFailure.at) >= since
        )
    )
    by_client = session.scalar(
        select(func.count()).where(
            col(LoginFailure.client) == client, col(LoginFailure.at) >= since
        )
    )
    # A client address may be shared (an office behind one gateway): allow it more.
    if (by_user or 0) >= s.login_max_failures or (by_client or 0) >= 4 * s.login_max_failures:
        events.login_throttled(username=username, client=client, route=route)
        raise TooManyRequests(
            f"too many failed logins: try again in {s.login_window_seconds // 60 or 1} minutes",
            retry_after=s.login_window_seconds,
        )


def authenticate(
    session: Session, *, username: str, password: str, client: str, route: str
) -> str | None:
    """The user's access token, or None after recording the failure (the caller commits it)."""
    username = username.strip().lower()[:100]
    _check_throttle(session, username=username, client=client, route=route)
    user = session.scalar(select(User).where(col(User.username) == username))
    ok = verify_password(password, user.password_hash if user else dummy_hash())
    if user is None or not ok or not user.active:
        session.add(LoginFailure(username=username, client=client[:64]))
        reason = (
            "unknown username"
            if user is None
            else "wrong password"
            if not ok
            else "the user is deactivated"
        )
        events.login_failed(
            username=username,
            user_id=user.id if user else None,
            reason=reason,
            client=client,
            route=route,
        )
        return None
    session.execute(delete(LoginFailure).where(col(LoginFailure.username) == username))
    assert user.id is not None
    events.login_succeeded(user_id=user.id, username=username, client=client, route=route)
    token, _ = create_access_token(user_id=user.id, epoch=user.token_epoch)
    return token


def revoke_tokens(user: User) -> None:
    user.token_epoch += 1


def change_own_password(
    session: Session, *, caller: Caller, current: str, new: str, route: str
) -> None:
    user = caller.user
    if not verify_password(current, user.password_hash):
        events.password_change_refused(
            user_id=caller.id, username=user.username, route=route, reason="wrong current password"
        )
        raise InvalidInput(
            "the current password is wrong",
            errors=[{"loc": ["body", "current_password"], "message": "wrong"}],
        )
    _set_password(user, new, loc="new_password")
    _audit_user(
        session, caller, user, "password_change", {"password": {"before": "***", "after": "***"}}
    )
    events.password_changed(user_id=caller.id, username=user.username, route=route)


def _set_password(user: User, password: str, *, loc: str) -> None:
    problems = password_problems(password, username=user.username)
    if problems:
        raise InvalidInput(
            f"the password {problems[0]}",
            errors=[{"loc": ["body", loc], "message": f"password {p}"} for p in problems],
        )
    user.password_hash = hash_password(password)
    user.version += 1
    user.updated_at = utcnow()
    revoke_tokens(user)


# Users ---------------------------------------------------------------------------------------


def _audit_user(
    session: Session,
    caller: Caller | None,
    user: User,
    action: str,
    changes: dict[str, Any],
    *,
    entity_type: str = "user",
    entity_id: int | None = None,
) -> None:
    assert user.id is not None
    root = root_unit_id(session, user.municipality_id) if user.municipality_id else None
    record(
        session,
        user_id=caller.id if caller else None,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id or user.id,
        municipality_id=user.municipality_id,
        org_unit_id=root,
        changes=changes,
    )


def administered(caller: Caller) -> set[int]:
    """Municipalities whose users the caller manages (admin grants sit on municipality roots)."""
    return caller.municipalities(Action.manage)


def can_manage_user(caller: Caller, user: User) -> bool:
    return caller.is_superuser or (
        user.municipality_id is not None and user.municipality_id in administered(caller)
    )


def get_user(session: Session, caller: Caller, user_id: int, *, for_update: bool = False) -> User:
    # A caller who administers no municipality learns nothing about any user id: 403 for all.
    require_user_admin(caller)
    user = session.get(User, user_id, with_for_update=for_update)
    if user is None:
        raise NotFound(f"user {user_id} not found")
    if not can_manage_user(caller, user):
        raise OutOfScope(
            f"user {user_id} not found",
            reason=f"user {user_id} belongs to a municipality the caller does not administer",
        )
    return user


def require_user_admin(caller: Caller) -> None:
    if not caller.is_superuser and not administered(caller):
        raise Forbidden("only an administrator manages users")


def list_users_stmt(
    caller: Caller, *, municipality_id: int | None, active: bool | None, q: str | None
):
    require_user_admin(caller)
    stmt = select(User)
    if not caller.is_superuser:
        stmt = stmt.where(col(User.municipality_id).in_(administered(caller)))
    if municipality_id is not None:
        stmt = stmt.where(col(User.municipality_id) == municipality_id)
    if active is not None:
        stmt = stmt.where(col(User.active).is_(active))
    if q:
        stmt = stmt.where(or_(contains(User.username, q), contains(User.full_name, q)))
    return stmt.order_by(User.username)


def create_user(session: Session, *, caller: Caller, data: UserCreate) -> User:
    require_user_admin(caller)
    if data.is_superuser and not caller.is_superuser:
        raise Forbidden("only a platform administrator creates platform administrators")
    municipality_id = data.municipality_id
    if municipality_id is None and not data.is_superuser:
        mine = administered(caller)
        if len(mine) != 1:
            raise InvalidInput(
                "say which municipality the user belongs to",
                errors=[{"loc": ["body", "municipality_id"], "message": "required"}],
            )
        municipality_id = next(iter(mine))
    if (
        municipality_id is not None
        and not caller.is_superuser
        and municipality_id not in administered(caller)
    ):
        raise OutOfScope(
            f"municipality {municipality_id} not found",
            reason=f"the caller does not administer municipality {municipality_id}",
        )
    if municipality_id is not None and root_unit_id(session, municipality_id) is None:
        raise InvalidInput(
            f"municipality {municipality_id} does not exist",
            errors=[{"loc": ["body", "municipality_id"], "message": "not found"}],
        )
    if session.scalar(select(User.id).where(col(User.username) == data.username)) is not None:
        raise Conflict(f"username {data.username!r} is taken")
    user = User(
        username=data.username,
        full_name=data.full_name,
        email=data.email,
        municipality_id=municipality_id,
        is_superuser=data.is_superuser,
        password_hash="",
    )
    _set_password(user, data.password, loc="password")
    user.version = 1
    session.add(user)
    session.flush()
    _audit_user(session, caller, user, "create", diff(None, snapshot(user, USER_FIELDS)))
    return user


def update_user(session: Session, *, caller: Caller, user: User, data: UserUpdate) -> User:
    changes = data.model_dump(exclude_unset=True)
    if "full_name" in changes and changes["full_name"] is None:
        raise InvalidInput(
            "full_name cannot be empty",
            errors=[{"loc": ["body", "full_name"], "message": "must not be null"}],
        )
    if changes.get("active") is False and user.id == caller.id:
        raise Conflict("you cannot deactivate yourself")
    before = snapshot(user, USER_FIELDS)
    password = changes.pop("password", None)
    for key, value in changes.items():
        if value is not None or key == "email":
            setattr(user, key, value)
    if before["active"] and not user.active:
        revoke_tokens(user)
    after = snapshot(user, USER_FIELDS)
    changed = diff(before, after)
    if password is not None:
        _set_password(user, password, loc="password")
        changed["password"] = {"before": "***", "after": "***"}
    elif changed:
        user.version += 1
        user.updated_at = utcnow()
    if changed:
        _audit_user(session, caller, user, "update", changed)
    session.flush()
    return user


def user_public(session: Session, user: User) -> UserPublic:
    return UserPublic(
        id=user.id,
        username=user.username,
        full_name=user.full_name,
        email=user.email,
        active=user.active,
        is_superuser=user.is_superuser,
        municipality_id=user.municipality_id,
        version=user.version,
        created_at=user.created_at,
        updated_at=user.updated_at,
        grants=list_grants(session, user),
    )


# Grants --------------------------------------------------------------------------------------


def list_grants(session: Session, user: User) -> list[GrantPublic]:
    rows = session.execute(
        sa_select(
            col(Grant.id),
            col(Grant.role),
            col(Grant.org_unit_id),
            col(OrgUnit.code),
            col(OrgUnit.name),
        )
        .join(OrgUnit, col(OrgUnit.id) == Grant.org_unit_id)
        .where(col(Grant.user_id) == user.id)
        .order_by(col(Grant.id))
    ).all()
    return [
        GrantPublic(id=i, role=Role(r), org_unit_id=u, org_unit_code=c, org_unit_name=n)
        for i, r, u, c, n in rows
    ]


def add_grant(session: Session, *, caller: Caller, user: User, data: GrantCreate) -> Grant:
    unit = session.get(OrgUnit, data.org_unit_id)
    if unit is None or unit.id is None or user.id is None:
        raise NotFound(f"org unit {data.org_unit_id} not found")
    authorize_unit(
        session,
        caller,
        unit.id,
        Action.manage,
        what=f"org unit {data.org_unit_id}",
    )
    if user.municipality_id != unit.municipality_id:
        raise InvalidInput(
            "a user is granted roles only on units of its own municipality",
            errors=[{"loc": ["body", "org_unit_id"], "message": "belongs to another municipality"}],
        )
    if data.role == Role.admin and unit.parent_id is not None:
        raise InvalidInput(
            "the admin role is granted on the municipality (the root unit)",
            errors=[{"loc": ["body", "role"], "message": "admin only on the municipality"}],
        )
    exists = session.scalar(
        select(Grant.id).where(
            col(Grant.user_id) == user.id,
            col(Grant.role) == data.role.value,
            col(Grant.org_unit_id) == unit.id,
        )
    )
    if exists is not None:
        raise Conflict(f"user {user.id} already holds {data.role.value} on org unit {unit.id}")
    grant = Grant(
        municipality_id=unit.municipality_id,
        user_id=user.id,
        role=data.role.value,
        org_unit_id=unit.id,
    )
    session.add(grant)
    session.flush()
    assert grant.id is not None
    _audit_user(
        session,
        caller,
        user,
        "grant",
        diff(None, {"user_id": user.id, "role": grant.role, "org_unit_id": unit.id}),
        entity_type="grant",
        entity_id=grant.id,
    )
    return grant


def remove_grant(session: Session, *, caller: Caller, user: User, grant_id: int) -> None:
    grant = session.get(Grant, grant_id)
    if grant is None or grant.user_id != user.id:
        raise NotFound(f"grant {grant_id} not found")
    authorize_unit(session, caller, grant.org_unit_id, Action.manage, what=f"grant {grant_id}")
    if user.id == caller.id and grant.role == Role.admin:
        raise Conflict("you cannot remove your own admin grant")
    before = {"user_id": user.id, "role": grant.role, "org_unit_id": grant.org_unit_id}
    session.delete(grant)
    session.flush()
    _audit_user(
        session, caller, user, "revoke", diff(before, None), entity_type="grant", entity_id=grant_id
    )
