"""The security log (logger ``apologismos.auth``): every login, logout and password change,
every refused token, once each, with who (user id, username), where (method and path) and why.
Refused authorizations (403, and 404 for what lies outside the caller's scope) are logged by
the error handler in `app.core.errors`, under the same logger, from what `current_caller` puts
on the request.

Never a password, a password hash or a token: these functions are not handed any.
Successes are INFO; refusals WARNING, except the routine ones (no token, an expired token).
"""

import logging

from fastapi import Request

log = logging.getLogger("apologismos.auth")


def route_of(request: Request) -> str:
    return f"{request.method} {request.url.path}"


def remember_caller(request: Request, *, user_id: int, username: str) -> None:
    """Who made the request, for the refusal logged if it is refused later."""
    request.state.user_id = user_id
    request.state.username = username


def login_succeeded(*, user_id: int, username: str, client: str, route: str) -> None:
    log.info("login succeeded: user %s %r from %s on %s", user_id, username, client, route)


def login_failed(
    *, username: str, user_id: int | None, reason: str, client: str, route: str
) -> None:
    log.warning(
        "login refused: user %s %r from %s on %s: %s",
        user_id if user_id is not None else "-",
        username,
        client,
        route,
        reason,
    )


def login_throttled(*, username: str, client: str, route: str) -> None:
    log.warning(
        "login refused: user - %r from %s on %s: too many failed logins (throttled)",
        username,
        client,
        route,
    )


def token_refused(
    *, route: str, reason: str, user_id: int | None = None, username: str | None = None
) -> None:
    # A missing or an expired token is what every client sends now and then; the others
    # (forged, malformed, revoked) deserve attention.
    routine = reason in ("no token", "expired")
    log.log(
        logging.INFO if routine else logging.WARNING,
        "token refused: user %s %r on %s: %s",
        user_id if user_id is not None else "-",
        username,
        route,
        reason,
    )


def logged_out(*, user_id: int, username: str, route: str) -> None:
    log.info("logout: user %s %r on %s: every token of the user revoked", user_id, username, route)


def password_changed(*, user_id: int, username: str, route: str) -> None:
    log.info(
        "password changed: user %s %r on %s: every token of the user revoked",
        user_id,
        username,
        route,
    )


def password_change_refused(*, user_id: int, username: str, route: str, reason: str) -> None:
    log.warning("password change refused: user %s %r on %s: %s", user_id, username, route, reason)
