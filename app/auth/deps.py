"""The authentication dependency: bearer token → the calling user and its grants."""

from typing import Annotated

import jwt
from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer

from app.auth import events
from app.auth.scope import Caller, load_user_and_caller
from app.core.config import get_settings
from app.core.db import SessionDep
from app.core.errors import Unauthorized
from app.core.security import ALGORITHM, decode_access_token

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


def _why_invalid(exc: Exception) -> str:
    if isinstance(exc, jwt.ExpiredSignatureError):
        return "expired"
    if isinstance(exc, jwt.InvalidSignatureError):
        return "malformed: the signature does not match (forged, or signed with another key)"
    if isinstance(exc, jwt.MissingRequiredClaimError | KeyError | ValueError):
        return "malformed: a claim is missing or wrong"
    return f"malformed: {type(exc).__name__}"


def _expired_user(token: str) -> int | None:
    """Whose token expired: its signature is checked, so the user id can be trusted."""
    try:
        claims = jwt.decode(
            token, get_settings().secret_key, algorithms=[ALGORITHM], options={"verify_exp": False}
        )
        return int(claims["sub"])
    except (jwt.PyJWTError, ValueError, KeyError):
        return None


def current_caller(
    request: Request, session: SessionDep, token: Annotated[str | None, Depends(oauth2_scheme)]
) -> Caller:
    route = events.route_of(request)
    if not token:
        events.token_refused(route=route, reason="no token")
        raise Unauthorized("send a bearer token: POST /api/v1/auth/token gives one")
    try:
        claims = decode_access_token(token)
        user_id = int(claims["sub"])
    except (jwt.PyJWTError, ValueError, KeyError) as exc:
        reason = _why_invalid(exc)
        expired = reason == "expired"
        events.token_refused(
            route=route, reason=reason, user_id=_expired_user(token) if expired else None
        )
        word = "has expired" if expired else "is not valid"
        raise Unauthorized(f"the token {word}: log in again") from None
    # The revocation check reads the user on every request: a token dies with a logout, a
    # password change or a deactivation at once, not when it expires.
    caller = load_user_and_caller(session, user_id)
    user = caller.user if caller else None
    if caller is None or user is None or not user.active or claims.get("ep") != user.token_epoch:
        why = (
            "the user does not exist"
            if user is None
            else "the user is deactivated"
            if not user.active
            else "logout or password change since it was issued"
        )
        events.token_refused(
            route=route,
            reason=f"revoked: {why}",
            user_id=user_id,
            username=user.username if user else None,
        )
        raise Unauthorized("the token was revoked (logout, password change or deactivation)")
    assert user.id is not None
    events.remember_caller(request, user_id=user.id, username=user.username)
    return caller


CallerDep = Annotated[Caller, Depends(current_caller)]
