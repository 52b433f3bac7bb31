"""/users/{id}/grants: role grants on org units, managed by administrators."""

import pytest
from sqlalchemy import func, select
from sqlmodel import Session

from app.auth.models import Grant, User
from app.org.models import OrgUnit
from tests.builders import World, auth
from tests.helpers import API, assert_problem, audit_count


@pytest.fixture
def w(session: Session) -> World:
    return World(session)


def grants_url(user: User) -> str:
    return f"{API}/users/{user.id}/grants"


def grant_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Grant)) or 0


def add(client, by: User, to: User, role: str, unit: OrgUnit | int):
    unit_id = unit if isinstance(unit, int) else unit.id
    return client.post(
        grants_url(to), json={"role": role, "org_unit_id": unit_id}, headers=auth(by)
    )


def refused(client, session, status: int, by: User, to: User, role: str, unit: OrgUnit | int):
    """The grant is refused with `status` and neither a grant nor an event is written."""
    grants, events = grant_count(session), audit_count(session)
    problem = assert_problem(add(client, by, to, role, unit), status)
    assert (grant_count(session), audit_count(session)) == (grants, events)
    return problem


class TestListGrants:
    def test_lists_the_users_grants(self, client, w):
        r = client.get(grants_url(w.viewer), headers=auth(w.admin))
        assert r.status_code == 200, r.text
        assert [(g["role"], g["org_unit_id"]) for g in r.json()] == [("viewer", w.d1.id)]


class TestAddGrant:
    def test_grant_takes_effect_on_the_unit_and_below(self, client, w):
        h = auth(w.nobody)
        assert_problem(client.get(f"{API}/org-units/{w.t12.id}", headers=h), 404)
        r = add(client, w.admin, w.nobody, "viewer", w.d1)
        assert r.status_code == 201, r.text
        assert r.json()["role"] == "viewer" and r.json()["org_unit_code"] == "D1"
        assert client.get(f"{API}/org-units/{w.t12.id}", headers=h).status_code == 200
        assert_problem(client.get(f"{API}/org-units/{w.t21.id}", headers=h), 404)

    def test_admin_role_only_on_the_municipality_root(self, client, session, w):
        body = refused(client, session, 422, w.admin, w.nobody, "admin", w.d1)
        assert body["errors"][0]["loc"] == ["body", "role"]
        assert add(client, w.admin, w.nobody, "admin", w.a).status_code == 201

    def test_unit_of_another_municipality_is_422(self, client, session, w):
        body = refused(client, session, 422, w.superuser, w.nobody, "viewer", w.bt11)
        assert body["errors"][0]["loc"] == ["body", "org_unit_id"]

    def test_municipal_admin_does_not_see_the_other_municipalitys_unit(self, client, session, w):
        refused(client, session, 404, w.admin, w.nobody, "viewer", w.bt11)

    def test_duplicate_grant_is_409(self, client, session, w):
        refused(client, session, 409, w.admin, w.editor, "editor", w.t11)

    def test_unknown_unit_is_404_and_unknown_role_422(self, client, session, w):
        refused(client, session, 404, w.admin, w.nobody, "viewer", 999999)
        refused(client, session, 422, w.admin, w.nobody, "owner", w.t11)

    def test_user_of_another_municipality_is_404(self, client, session, w):
        refused(client, session, 404, w.admin, w.quality_b, "viewer", w.t11)

    @pytest.mark.parametrize("who", ["quality", "editor", "viewer", "nobody"])
    def test_non_admins_are_403(self, client, session, w, who):
        refused(client, session, 403, getattr(w, who), w.nobody, "viewer", w.t11)


class TestRemoveGrant:
    def grant_id(self, session: Session, user: User) -> int:
        found = session.scalar(select(Grant.id).where(Grant.user_id == user.id))  # type: ignore[arg-type]
        assert found is not None
        return found

    def test_removed_grant_takes_the_scope_away(self, client, session, w):
        gid = self.grant_id(session, w.editor)
        h = auth(w.editor)
        assert client.get(f"{API}/org-units/{w.t11.id}", headers=h).status_code == 200
        r = client.delete(f"{grants_url(w.editor)}/{gid}", headers=auth(w.admin))
        assert r.status_code == 204, r.text
        assert_problem(client.get(f"{API}/org-units/{w.t11.id}", headers=h), 404)

    def test_admin_cannot_remove_its_own_admin_grant(self, client, session, w):
        gid, grants = self.grant_id(session, w.admin), grant_count(session)
        assert_problem(client.delete(f"{grants_url(w.admin)}/{gid}", headers=auth(w.admin)), 409)
        assert grant_count(session) == grants

    def test_grant_of_another_user_is_404(self, client, session, w):
        gid, grants = self.grant_id(session, w.viewer), grant_count(session)
        assert_problem(client.delete(f"{grants_url(w.editor)}/{gid}", headers=auth(w.admin)), 404)
        assert grant_count(session) == grants
