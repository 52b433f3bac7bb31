"""GET /auth/me: who the caller is, its grants, and what it may do."""

import pytest
from sqlmodel import Session

from tests.builders import World, auth
from tests.helpers import API

FLAGS = ("read", "edit_plans", "review", "manage_org_chart", "manage_users")
NONE = dict.fromkeys(FLAGS, False) | {"create_municipalities": False}


@pytest.fixture
def w(session: Session) -> World:
    return World(session)


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("superuser", {*FLAGS, "create_municipalities"}),
        ("admin", set(FLAGS)),
        ("quality", {"read", "review"}),
        ("editor", {"read", "edit_plans"}),
        ("viewer", {"read"}),
        ("nobody", set()),
    ],
)
def test_may_follows_the_roles(client, w, who, allowed):
    r = client.get(f"{API}/auth/me", headers=auth(getattr(w, who)))
    assert r.status_code == 200, r.text
    assert r.json()["may"] == NONE | dict.fromkeys(allowed, True)


def test_me_lists_the_grants_with_their_units(client, w):
    body = client.get(f"{API}/auth/me", headers=auth(w.viewer)).json()
    assert body["username"] == "viewer-d1"
    assert body["municipality_id"] == w.a.municipality_id
    assert [(g["role"], g["org_unit_id"], g["org_unit_code"]) for g in body["grants"]] == [
        ("viewer", w.d1.id, "D1")
    ]
    assert "password_hash" not in body and "token_epoch" not in body
