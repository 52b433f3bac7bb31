"""The shape of the org chart: moving subtrees (and the scope that follows them), the nested
tree, and the list filters."""

import pytest
from sqlalchemy import select
from sqlmodel import Session

from app.auth.models import Role
from app.org.models import OrgUnit, OrgUnitClosure, UnitKind
from tests.builders import World, auth, unit, user
from tests.helpers import API, assert_problem, unchanged

UNITS = f"{API}/org-units"


@pytest.fixture
def w(session: Session) -> World:
    return World(session)


def move(client, u: OrgUnit, parent_id: int | None, who, version: int = 1):
    return client.patch(
        f"{UNITS}/{u.id}",
        json={"parent_id": parent_id},
        headers=auth(who) | {"If-Match": f'"{version}"'},
    )


def ancestors(session: Session, u: OrgUnit) -> dict[int, int]:
    rows = session.execute(
        select(OrgUnitClosure.ancestor_id, OrgUnitClosure.depth).where(
            OrgUnitClosure.descendant_id == u.id  # type: ignore[arg-type]
        )
    )
    return dict(rows.all())


def codes(client, who, **params) -> list[str]:
    r = client.get(UNITS, params={"limit": 500, **params}, headers=auth(who))
    assert r.status_code == 200, r.text
    return [u["code"] for u in r.json()["items"]]


class TestMove:
    def test_moved_department_changes_scope(self, client, session, w):
        d1_editor = user(session, "editor-d1", (Role.editor, w.d1))
        d2_editor = user(session, "editor-d2", (Role.editor, w.d2))
        assert client.get(f"{UNITS}/{w.t11.id}", headers=auth(d1_editor)).status_code == 200
        r = move(client, w.t11, w.d2.id, w.admin)
        assert r.status_code == 200, r.text
        assert r.json()["parent_id"] == w.d2.id and r.headers["ETag"] == '"2"'
        assert ancestors(session, w.t11) == {w.t11.id: 0, w.d2.id: 1, w.a.id: 2}
        assert_problem(client.get(f"{UNITS}/{w.t11.id}", headers=auth(d1_editor)), 404)
        assert client.get(f"{UNITS}/{w.t11.id}", headers=auth(d2_editor)).status_code == 200
        assert codes(client, w.admin, under=w.d2.id) == ["D2", "T11", "T21"]
        assert codes(client, w.admin, under=w.d1.id) == ["D1", "T12"]
        assert "T11" not in codes(client, d1_editor)

    def test_a_whole_subtree_moves_with_its_root(self, client, session, w):
        deeper = unit(session, w.d2, "D2X", "Υποδιεύθυνση", UnitKind.directorate)
        r = move(client, w.d1, deeper.id, w.admin)
        assert r.status_code == 200, r.text
        assert ancestors(session, w.t12) == {
            w.t12.id: 0,
            w.d1.id: 1,
            deeper.id: 2,
            w.d2.id: 3,
            w.a.id: 4,
        }
        assert codes(client, w.admin, under=w.d2.id) == ["D1", "D2", "D2X", "T11", "T12", "T21"]
        # The viewer granted on D1 keeps D1's units: its grant moved with them.
        assert codes(client, w.viewer) == ["D1", "T11", "T12"]

    @pytest.mark.parametrize("target", ["t11", "d1"])
    def test_moving_under_itself_or_a_descendant_is_a_cycle(self, client, session, w, target):
        with unchanged(session, OrgUnit, w.d1.id):
            body = assert_problem(move(client, w.d1, getattr(w, target).id, w.admin), 422)
        assert body["errors"][0]["loc"] == ["body", "parent_id"]

    def test_parent_in_another_municipality_is_422(self, client, session, w):
        for who in (w.admin, w.superuser):
            with unchanged(session, OrgUnit, w.t11.id):
                body = assert_problem(move(client, w.t11, w.bd1.id, who), 422)
            assert body["errors"][0]["loc"] == ["body", "parent_id"]

    @pytest.mark.parametrize("parent_id", [None, 999999])
    def test_missing_parent_is_422(self, client, session, w, parent_id):
        with unchanged(session, OrgUnit, w.t11.id):
            assert_problem(move(client, w.t11, parent_id, w.admin), 422)

    def test_the_municipality_cannot_be_moved(self, client, session, w):
        with unchanged(session, OrgUnit, w.a.id):
            assert_problem(move(client, w.a, w.d1.id, w.superuser), 422)

    def test_nothing_moves_under_an_office(self, client, session, w):
        office = unit(session, w.a, "A01", "Γραφείο Δημάρχου", UnitKind.office)
        with unchanged(session, OrgUnit, w.t11.id):
            assert_problem(move(client, w.t11, office.id, w.admin), 422)

    def test_an_active_unit_does_not_move_under_an_inactive_one(self, client, session, w):
        w.t21.active = False
        w.t21.kind = UnitKind.directorate.value
        session.flush()
        with unchanged(session, OrgUnit, w.t11.id):
            assert_problem(move(client, w.t11, w.t21.id, w.admin), 409)

    def test_editor_cannot_move_inside_its_scope(self, client, session, w):
        d1_editor = user(session, "editor-d1", (Role.editor, w.d1))
        with unchanged(session, OrgUnit, w.t11.id):
            assert_problem(move(client, w.t11, w.d1.id, d1_editor), 403)


class TestTree:
    def test_tree_is_nested_with_children_in_code_order(self, client, w):
        r = client.get(f"{UNITS}/{w.a.id}/tree", headers=auth(w.quality))
        assert r.status_code == 200, r.text

        def shape(node):
            return (node["code"], [shape(c) for c in node["children"]])

        assert shape(r.json()) == (
            "THESS",
            [("D1", [("T11", []), ("T12", [])]), ("D2", [("T21", [])])],
        )

    def test_tree_of_a_subtree_and_scope(self, client, w):
        r = client.get(f"{UNITS}/{w.d1.id}/tree", headers=auth(w.viewer))
        assert r.status_code == 200, r.text
        assert [c["code"] for c in r.json()["children"]] == ["T11", "T12"]
        assert_problem(client.get(f"{UNITS}/{w.a.id}/tree", headers=auth(w.viewer)), 404)
        assert_problem(client.get(f"{UNITS}/{w.d1.id}/tree", headers=auth(w.quality_b)), 404)


class TestListOrgUnits:
    def test_lists_only_units_in_scope(self, client, w):
        assert codes(client, w.viewer) == ["D1", "T11", "T12"]
        assert codes(client, w.editor) == ["T11"]
        assert codes(client, w.admin_b) == ["BD1", "BT11", "VOLOS"]
        assert codes(client, w.nobody) == []
        assert len(codes(client, w.superuser)) == 9

    @pytest.mark.parametrize(
        ("params", "expected"),
        [
            ({"kind": "department"}, ["T11", "T12", "T21"]),
            ({"kind": "directorate"}, ["D1", "D2"]),
            ({"parent_id": "d1"}, ["T11", "T12"]),
            ({"under": "d2"}, ["D2", "T21"]),
            ({"active": "false"}, ["T12"]),
            ({"active": "true", "under": "d1"}, ["D1", "T11"]),
            ({"q": "τμήμα"}, ["T11", "T12", "T21"]),
            ({"q": "ΤΜΉΜΑ"}, ["T11", "T12", "T21"]),
            ({"q": "λογιστ"}, ["T11"]),
            ({"q": "t1"}, ["T11", "T12"]),
            ({"q": "no such unit"}, []),
        ],
    )
    def test_filters(self, client, session, w, params, expected):
        w.t12.active = False
        session.flush()
        params = {
            k: getattr(w, v).id if k in ("parent_id", "under") else v for k, v in params.items()
        }
        assert codes(client, w.admin, **params) == expected

    def test_municipality_filter_for_the_superuser(self, client, w):
        got = codes(client, w.superuser, municipality_id=w.b.municipality_id)
        assert got == ["BD1", "BT11", "VOLOS"]

    def test_under_a_unit_outside_the_scope_gives_nothing(self, client, w):
        assert codes(client, w.admin, under=w.bd1.id) == []

    def test_pagination(self, client, w):
        r = client.get(UNITS, params={"limit": 2, "offset": 1}, headers=auth(w.admin))
        body = r.json()
        assert (body["total"], body["limit"], body["offset"]) == (6, 2, 1)
        assert [u["code"] for u in body["items"]] == ["D2", "T11"]

    @pytest.mark.parametrize(
        "params", [{"kind": "ministry"}, {"parent_id": "x"}, {"active": "maybe"}, {"q": "x" * 101}]
    )
    def test_bad_filters_are_422(self, client, w, params):
        assert_problem(client.get(UNITS, params=params, headers=auth(w.admin)), 422)


class TestSearchAndKindRules:
    def test_wildcards_in_the_search_are_literal(self, client, session):
        from tests.builders import World, auth, unit

        w = World(session)
        unit(session, w.d1, "T13", "Τμήμα 100% Ψηφιακό")
        r = client.get("/api/v1/org-units?q=%25", headers=auth(w.admin))
        assert r.status_code == 200, r.text
        assert [u["code"] for u in r.json()["items"]] == ["T13"]
        r = client.get("/api/v1/org-units?q=_", headers=auth(w.admin))
        assert r.json()["total"] == 0

    def test_a_unit_with_units_below_cannot_become_an_office(self, client, session):
        from tests.builders import World, auth

        w = World(session)
        h = auth(w.admin)
        tag = client.get(f"/api/v1/org-units/{w.d1.id}", headers=h).headers["ETag"]
        r = client.patch(
            f"/api/v1/org-units/{w.d1.id}", json={"kind": "office"}, headers={**h, "If-Match": tag}
        )
        assert r.status_code == 409, r.text
        assert "an office has none" in r.json()["detail"]
