"""The audit trail: one event per change with before/after values, read in scope only."""

from datetime import UTC, datetime

import pytest
from sqlmodel import Session

from app.audit.service import record
from tests.builders import World, auth
from tests.helpers import API, assert_problem, if_match

EVENTS = f"{API}/audit-events"


@pytest.fixture
def w(session: Session) -> World:
    return World(session)


def events(client, who, **params) -> list[dict]:
    r = client.get(EVENTS, params={"limit": 500, **params}, headers=auth(who))
    assert r.status_code == 200, r.text
    return r.json()["items"]


def only(client, who, **params) -> dict:
    found = events(client, who, **params)
    assert len(found) == 1, found
    return found[0]


class TestEveryChangeIsRecorded:
    def test_org_unit_create_update_delete(self, client, w):
        h = auth(w.admin)
        body = {"parent_id": w.d1.id, "code": "T13", "name": "Τμήμα Α", "kind": "department"}
        uid = client.post(f"{API}/org-units", json=body, headers=h).json()["id"]
        client.patch(f"{API}/org-units/{uid}", json={"name": "Τμήμα Β"}, headers=h | if_match(1))
        assert client.delete(f"{API}/org-units/{uid}", headers=h | if_match(2)).status_code == 204
        found = events(client, w.admin, entity_type="org_unit", entity_id=uid)
        assert [(e["action"], e["user_id"]) for e in found] == [
            ("delete", w.admin.id),
            ("update", w.admin.id),
            ("create", w.admin.id),
        ]
        delete, update, create = (e["changes"] for e in found)
        assert create == {
            "active": {"before": None, "after": True},
            "code": {"before": None, "after": "T13"},
            "kind": {"before": None, "after": "department"},
            "name": {"before": None, "after": "Τμήμα Α"},
            "parent_id": {"before": None, "after": w.d1.id},
        }
        assert update == {"name": {"before": "Τμήμα Α", "after": "Τμήμα Β"}}
        assert delete["name"] == {"before": "Τμήμα Β", "after": None}
        assert all(e["municipality_id"] == w.a.municipality_id for e in found)

    def test_move_records_the_old_and_new_parent(self, client, w):
        h = auth(w.admin) | if_match(1)
        client.patch(f"{API}/org-units/{w.t11.id}", json={"parent_id": w.d2.id}, headers=h)
        event = only(client, w.admin, entity_type="org_unit", action="update")
        assert event["changes"] == {"parent_id": {"before": w.d1.id, "after": w.d2.id}}

    def test_employee_create_update_delete(self, client, w):
        h = auth(w.admin)
        body = {"org_unit_id": w.t11.id, "full_name": "Ελένη Ιωάννου"}
        eid = client.post(f"{API}/employees", json=body, headers=h).json()["id"]
        client.patch(
            f"{API}/employees/{eid}", json={"job_title": "Προϊσταμένη"}, headers=h | if_match(1)
        )
        client.delete(f"{API}/employees/{eid}", headers=h | if_match(2))
        found = events(client, w.admin, entity_type="employee", entity_id=eid)
        assert [e["action"] for e in found] == ["delete", "update", "create"]
        assert found[1]["changes"] == {"job_title": {"before": None, "after": "Προϊσταμένη"}}
        assert found[2]["changes"]["full_name"] == {"before": None, "after": "Ελένη Ιωάννου"}
        assert found[0]["changes"]["org_unit_id"] == {"before": w.t11.id, "after": None}
        assert {e["org_unit_id"] for e in found} == {w.t11.id}

    def test_user_create_and_update_never_show_the_password(self, client, w):
        h = auth(w.admin)
        body = {
            "username": "new.user",
            "full_name": "Νέος Χρήστης",
            "password": "a long passphrase of hers",
        }
        uid = client.post(f"{API}/users", json=body, headers=h).json()["id"]
        client.patch(
            f"{API}/users/{uid}",
            json={"full_name": "Νέα Χρήστρια", "password": "another long passphrase"},
            headers=h | if_match(1),
        )
        found = events(client, w.admin, entity_type="user", entity_id=uid)
        assert [e["action"] for e in found] == ["update", "create"]
        update, create = found[0]["changes"], found[1]["changes"]
        assert create["username"] == {"before": None, "after": "new.user"}
        assert update == {
            "full_name": {"before": "Νέος Χρήστης", "after": "Νέα Χρήστρια"},
            "password": {"before": "***", "after": "***"},
        }
        assert "argon2" not in str(found) and "passphrase" not in str(found)

    def test_grant_add_and_remove(self, client, w):
        h = auth(w.admin)
        url = f"{API}/users/{w.nobody.id}/grants"
        gid = client.post(url, json={"role": "viewer", "org_unit_id": w.t12.id}, headers=h).json()[
            "id"
        ]
        assert client.delete(f"{url}/{gid}", headers=h).status_code == 204
        found = events(client, w.admin, entity_type="grant", entity_id=gid)
        assert [e["action"] for e in found] == ["revoke", "grant"]
        assert found[1]["changes"] == {
            "org_unit_id": {"before": None, "after": w.t12.id},
            "role": {"before": None, "after": "viewer"},
            "user_id": {"before": None, "after": w.nobody.id},
        }
        assert found[0]["changes"]["role"] == {"before": "viewer", "after": None}

    def test_password_change_is_recorded(self, client, w):
        client.post(
            f"{API}/auth/password",
            json={
                "current_password": "correct horse battery staple",
                "new_password": "x" + "y1" * 8,
            },
            headers=auth(w.editor),
        )
        event = only(client, w.admin, entity_type="user", entity_id=w.editor.id)
        assert event["action"] == "password_change" and event["user_id"] == w.editor.id


def unit_event(session: Session, unit, at: datetime | None = None, user_id=None) -> int:
    event = record(
        session,
        user_id=user_id,
        action="update",
        entity_type="org_unit",
        entity_id=unit.id,
        municipality_id=unit.municipality_id,
        org_unit_id=unit.id,
        changes={"name": {"before": "x", "after": "y"}},
    )
    if at is not None:
        event.at = at
    session.flush()
    assert event.id is not None
    return event.id


class TestScope:
    @pytest.fixture
    def trail(self, session: Session, w: World) -> dict[str, int]:
        return {
            code: unit_event(session, getattr(w, code)) for code in ("t11", "t12", "t21", "bt11")
        }

    def test_other_municipalitys_admin_sees_none(self, client, w, trail):
        assert {e["id"] for e in events(client, w.admin_b)} == {trail["bt11"]}
        assert {e["id"] for e in events(client, w.quality_b)} == {trail["bt11"]}

    def test_editor_sees_its_unit_only(self, client, w, trail):
        assert {e["id"] for e in events(client, w.editor)} == {trail["t11"]}

    def test_viewer_sees_its_directorate(self, client, w, trail):
        assert {e["id"] for e in events(client, w.viewer)} == {trail["t11"], trail["t12"]}

    def test_admin_and_superuser(self, client, w, trail):
        a_events = {trail["t11"], trail["t12"], trail["t21"]}
        assert {e["id"] for e in events(client, w.admin)} == a_events
        assert {e["id"] for e in events(client, w.superuser)} == set(trail.values())
        assert events(client, w.nobody) == []

    def test_deleted_unit_stays_visible_to_its_municipality(self, client, w):
        assert (
            client.delete(
                f"{API}/org-units/{w.t12.id}", headers=auth(w.admin) | if_match(1)
            ).status_code
            == 204
        )
        assert only(client, w.viewer, entity_id=w.t12.id)["action"] == "delete"
        assert events(client, w.admin_b, entity_id=w.t12.id) == []


class TestFilters:
    @pytest.fixture
    def dated(self, session: Session, w: World) -> list[int]:
        days = [datetime(2026, 1, d, 12, tzinfo=UTC) for d in (10, 11, 12, 13)]
        return [
            unit_event(session, w.t11, at, user_id=w.admin.id if i % 2 else w.quality.id)
            for i, at in enumerate(days)
        ]

    def test_since_until(self, client, w, dated):
        got = events(
            client, w.admin, since="2026-01-11T00:00:00Z", until="2026-01-13T00:00:00+00:00"
        )
        assert [e["id"] for e in got] == [dated[2], dated[1]]
        # 13:30 in Athens is 11:30 UTC: the event of 12:00 UTC is after it.
        local = events(client, w.admin, since="2026-01-12T13:30:00+02:00")
        assert [e["id"] for e in local] == [dated[3], dated[2]]

    def test_user_and_entity(self, client, w, dated):
        assert [e["id"] for e in events(client, w.admin, user_id=w.admin.id)] == [
            dated[3],
            dated[1],
        ]
        assert len(events(client, w.admin, entity_type="org_unit", entity_id=w.t11.id)) == 4
        assert events(client, w.admin, entity_type="employee") == []
        assert len(events(client, w.admin, under=w.d1.id)) == 4
        assert events(client, w.admin, under=w.d2.id) == []

    def test_pagination_newest_first(self, client, w, dated):
        r = client.get(EVENTS, params={"limit": 3, "offset": 1}, headers=auth(w.admin))
        body = r.json()
        assert (body["total"], body["limit"], body["offset"]) == (4, 3, 1)
        assert [e["id"] for e in body["items"]] == [dated[2], dated[1], dated[0]]

    def test_bad_dates_are_422(self, client, w):
        assert_problem(
            client.get(EVENTS, params={"since": "yesterday"}, headers=auth(w.admin)), 422
        )


class TestNoWayToChangeEvents:
    @pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE", "POST"])
    @pytest.mark.parametrize("path", [EVENTS, f"{EVENTS}/1"])
    def test_refused(self, client, session, w, method, path):
        event_id = unit_event(session, w.t11)
        before = only(client, w.superuser, entity_id=w.t11.id)
        r = client.request(
            method, path.replace("/1", f"/{event_id}"), json={}, headers=auth(w.superuser)
        )
        assert r.status_code in (404, 405), r.text
        assert_problem(r, r.status_code)
        assert only(client, w.superuser, entity_id=w.t11.id) == before
