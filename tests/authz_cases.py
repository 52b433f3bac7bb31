"""The vocabulary of the authorization matrix (tests/test_authz_matrix.py): the actors, the
request an entry builds, and who gets which status.

Targets sit in department T11 of municipality A: inside the scope of A's admin, quality unit,
the T11 editor and the D1 viewer; outside the scope of B's users and of A's user without grants.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, SQLModel

from app.auth.models import User
from tests.builders import World

ACTORS = ("superuser", "admin", "quality", "editor", "viewer", "admin_b", "quality_b", "nobody")
ROLE = {"admin": "admin", "quality": "quality", "editor": "editor", "viewer": "viewer"}

# The units each actor's grants cover (attribute names of World).
SCOPE = {
    "superuser": ("a", "d1", "t11", "t12", "d2", "t21", "b", "bd1", "bt11"),
    "admin": ("a", "d1", "t11", "t12", "d2", "t21"),
    "quality": ("a", "d1", "t11", "t12", "d2", "t21"),
    "editor": ("t11",),
    "viewer": ("d1", "t11", "t12"),
    "admin_b": ("b", "bd1", "bt11"),
    "quality_b": ("b", "bd1", "bt11"),
    "nobody": (),
}
# The municipalities in which each actor holds a grant (a superuser: all of them).
MUNICIPALITIES = {who: {"a"} for who in ("admin", "quality", "editor", "viewer")} | {
    "superuser": {"a", "b"},
    "admin_b": {"b"},
    "quality_b": {"b"},
    "nobody": set(),
}


@dataclass
class Req:
    method: str
    url: str
    json: Any = None
    data: dict[str, str] | None = None
    files: dict[str, tuple[str, bytes, str]] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    row: tuple[type[SQLModel], int | None] | None = None  # what a refused write must not touch


Visible = Callable[[Session, World, str], set[int]]


@dataclass(frozen=True)
class Case:
    build: Callable[[World, User], Req]
    expect: Mapping[str, int]
    visible: Visible | None = None  # lists: the ids each actor sees, no more, no fewer
    public: bool = False


def everyone(status: int) -> dict[str, int]:
    return dict.fromkeys(ACTORS, status)


def on_t11(ok: int, roles: set[str]) -> dict[str, int]:
    """A unit-bound action: `ok` for the roles allowed, 403 for other roles inside the scope,
    404 outside it (ids leak nothing)."""
    out = {}
    for who in ACTORS:
        if who == "superuser":
            out[who] = ok
        elif "t11" not in SCOPE[who]:
            out[who] = 404
        else:
            out[who] = ok if ROLE[who] in roles else 403
    return out


def read_unit(ok: int = 200) -> dict[str, int]:
    return on_t11(ok, {"admin", "quality", "editor", "viewer"})


def manage_unit(ok: int) -> dict[str, int]:
    """The org chart and its staff: administrators."""
    return on_t11(ok, {"admin"})


def edit_unit(ok: int) -> dict[str, int]:
    """Plans, items, outcomes: administrators and editors."""
    return on_t11(ok, {"admin", "editor"})


def review_unit(ok: int) -> dict[str, int]:
    """Approving, returning, reopening: administrators and the quality unit."""
    return on_t11(ok, {"admin", "quality"})


def manage_user(ok: int) -> dict[str, int]:
    """Users of A: their administrators; B's admin does not see them; non-admins are 403."""
    return everyone(403) | {"superuser": ok, "admin": ok, "admin_b": 404}


def units_of(w: World, who: str) -> set[int]:
    return {getattr(w, name).id for name in SCOPE[who]}
