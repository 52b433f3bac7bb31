"""The authentication dependency: bearer token → the calling user and its grants."""

import logging
from typing import Annotated

import jwt
from fastapi import Depends
from fastapi.security import OAuth2PasswordBearer

from app.auth.models import User
from app.auth.scope import Caller, load_caller
from app.core.db import SessionDep
from app.core.errors import Unauthorized
from app.core.security import decode_access_token

log = logging.getLogger("apologismos.auth")

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


def current_caller(
    session: SessionDep, token: Annotated[str | None, Depends(oauth2_scheme)]
) -> Caller:
    if not token:
        raise Unauthorized("send a bearer token: POST /api/v1/auth/token gives one")
    try:
        claims = decode_access_token(token)
        user_id = int(claims["sub"])
    except (jwt.PyJWTError, ValueError, KeyError) as exc:
        reason = "has expired" if isinstance(exc, jwt.ExpiredSignatureError) else "is not valid"
        log.info("token refused: %s", reason)
        raise Unauthorized(f"the token {reason}: log in again") from None
    user = session.get(User, user_id)
    if user is None or not user.active or claims.get("ep") != user.token_epoch:
        log.info("token refused for user %s: revoked", user_id)
        raise Unauthorized("the token was revoked (logout, password change or deactivation)")
    return load_caller(session, user)


CallerDep = Annotated[Caller, Depends(current_caller)]
