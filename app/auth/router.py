"""HTTP endpoints of authentication, users and their grants."""

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Path, Query, Request, Response, status
from fastapi.security import OAuth2PasswordRequestForm

from app.auth import events, service
from app.auth.deps import CallerDep
from app.auth.models import Role, User
from app.auth.schemas import (
    GrantCreate,
    GrantPublic,
    Me,
    PasswordChange,
    Permissions,
    Token,
    UserCreate,
    UserPublic,
    UserUpdate,
)
from app.core.config import get_settings
from app.core.db import SessionDep
from app.core.errors import InvalidInput, Unauthorized
from app.core.http import IfMatchHeader, TextParam, check_version, problems, set_etag
from app.core.pagination import Page, PageDep, page_of
from app.core.schemas import MAX_ID, RowId, check_text

auth_router = APIRouter(prefix="/auth", tags=["auth"])
users_router = APIRouter(prefix="/users", tags=["users"])

UserId = Annotated[int, Path(ge=1, le=MAX_ID)]


class LoginForm(OAuth2PasswordRequestForm):
    """The OAuth2 password form, with the lengths it takes declared: FastAPI reads an empty form
    field as a missing one, so a client must know that both need a character."""

    def __init__(
        self,
        *,
        username: Annotated[str, Form(min_length=1, max_length=100)],
        password: Annotated[
            str, Form(min_length=1, max_length=256, json_schema_extra={"format": "password"})
        ],
        grant_type: Annotated[str, Form(pattern="^password$")] = "password",
        scope: Annotated[str, Form()] = "",
        client_id: Annotated[str | None, Form()] = None,
        client_secret: Annotated[str | None, Form(json_schema_extra={"format": "password"})] = None,
    ) -> None:
        super().__init__(
            grant_type=grant_type,
            username=username,
            password=password,
            scope=scope,
            client_id=client_id,
            client_secret=client_secret,
        )


def _refuse_unstorable_text(**fields: str) -> None:
    """A form field is checked as a JSON body's text is (NUL cannot even be looked up in
    PostgreSQL)."""
    errors = []
    for name, value in fields.items():
        try:
            check_text(value)
        except ValueError as exc:
            errors.append({"loc": ["body", name], "message": str(exc)})
    if errors:
        where = ", ".join(f"body.{e['loc'][1]}" for e in errors)
        raise InvalidInput(f"the request is not valid: {where}", errors=errors)


@auth_router.post(
    "/token",
    summary="Log in: username and password for a bearer token",
    responses=problems(429, 413),
)
def login(form: Annotated[LoginForm, Depends()], request: Request, session: SessionDep) -> Token:
    _refuse_unstorable_text(username=form.username, password=form.password)
    client = request.client.host if request.client else "unknown"
    token = service.authenticate(
        session,
        username=form.username,
        password=form.password,
        client=client,
        route=events.route_of(request),
    )
    if token is None:
        session.commit()  # the failure must be counted even though the request fails
        raise Unauthorized("wrong username or password")
    return Token(access_token=token, expires_in=get_settings().access_token_minutes * 60)


@auth_router.get("/me", summary="Who you are and what you may do", responses=problems())
def read_me(caller: CallerDep, session: SessionDep) -> Me:
    roles = {role for role, _, _ in caller.grants}
    su = caller.is_superuser
    may = Permissions(
        read=su or bool(roles),
        edit_plans=su or bool(roles & {Role.admin, Role.editor}),
        review=su or bool(roles & {Role.admin, Role.quality}),
        manage_org_chart=su or Role.admin in roles,
        manage_users=su or Role.admin in roles,
        create_municipalities=su,
    )
    return Me(**service.user_public(session, caller.user).model_dump(), may=may)


@auth_router.post(
    "/logout",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Log out: every token of yours stops working",
    responses=problems(),
)
def logout(caller: CallerDep, session: SessionDep, request: Request) -> None:
    user = session.get(User, caller.id, with_for_update=True)
    assert user is not None
    service.revoke_tokens(user)
    events.logged_out(user_id=caller.id, username=user.username, route=events.route_of(request))


@auth_router.post(
    "/password",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Change your password (your tokens stop working)",
    responses=problems(413),
)
def change_password(
    body: PasswordChange, caller: CallerDep, session: SessionDep, request: Request
) -> None:
    service.change_own_password(
        session,
        caller=caller,
        current=body.current_password,
        new=body.new_password,
        route=events.route_of(request),
    )


@users_router.get("", summary="List users you administer", responses=problems(403))
def list_users(
    session: SessionDep,
    caller: CallerDep,
    page: PageDep,
    municipality_id: Annotated[RowId | None, Query()] = None,
    active: bool | None = None,
    q: Annotated[TextParam | None, Query(description="text in the username or name")] = None,
) -> Page[UserPublic]:
    stmt = service.list_users_stmt(caller, municipality_id=municipality_id, active=active, q=q)
    return page_of(
        session, stmt, page, lambda rows: [service.user_public(session, u) for u in rows]
    )


@users_router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Create a user",
    responses=problems(403, 404, 409, 413),
)
def create_user(
    body: UserCreate, session: SessionDep, caller: CallerDep, response: Response
) -> UserPublic:
    user = service.create_user(session, caller=caller, data=body)
    set_etag(response, user.version)
    response.headers["Location"] = f"/api/v1/users/{user.id}"
    return service.user_public(session, user)


@users_router.get("/{user_id}", summary="Read a user", responses=problems(403, 404))
def get_user(
    user_id: UserId, session: SessionDep, caller: CallerDep, response: Response
) -> UserPublic:
    user = service.get_user(session, caller, user_id)
    set_etag(response, user.version)
    return service.user_public(session, user)


@users_router.patch(
    "/{user_id}",
    summary="Change a user (name, e-mail, password, deactivate)",
    responses=problems(403, 404, 409, 412, 428, 413),
)
def update_user(
    user_id: UserId,
    body: UserUpdate,
    session: SessionDep,
    caller: CallerDep,
    response: Response,
    if_match: IfMatchHeader = None,
) -> UserPublic:
    user = service.get_user(session, caller, user_id, for_update=True)
    check_version(if_match, user.version, what=f"user {user_id}")
    user = service.update_user(session, caller=caller, user=user, data=body)
    set_etag(response, user.version)
    return service.user_public(session, user)


@users_router.get(
    "/{user_id}/grants", summary="List a user's role grants", responses=problems(403, 404)
)
def list_user_grants(user_id: UserId, session: SessionDep, caller: CallerDep) -> list[GrantPublic]:
    return service.list_grants(session, service.get_user(session, caller, user_id))


@users_router.post(
    "/{user_id}/grants",
    status_code=status.HTTP_201_CREATED,
    summary="Grant a role on an org unit (and the units below it)",
    responses=problems(403, 404, 409, 413),
)
def add_user_grant(
    user_id: UserId, body: GrantCreate, session: SessionDep, caller: CallerDep
) -> GrantPublic:
    user = service.get_user(session, caller, user_id)
    grant = service.add_grant(session, caller=caller, user=user, data=body)
    return next(g for g in service.list_grants(session, user) if g.id == grant.id)


@users_router.delete(
    "/{user_id}/grants/{grant_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Revoke a role grant",
    responses=problems(403, 404, 409),
)
def remove_user_grant(
    user_id: UserId,
    grant_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    session: SessionDep,
    caller: CallerDep,
) -> None:
    user = service.get_user(session, caller, user_id)
    service.remove_grant(session, caller=caller, user=user, grant_id=grant_id)
