"""Item changes: PATCH semantics, the merged-state rules, deletion, and what they do to the plan."""

import pytest

from app.planning.models import Item
from tests import plan_builders as pb
from tests.builders import auth, employee
from tests.helpers import assert_problem, error_locs

API = pb.API
OPTIONAL = {
    "description": "Περιγραφή",
    "planned_start": "2027-02-01",
    "planned_end": "2027-06-30",
    "budget": "1000.00",
    "funding_source": "own",
    "budget_code": "10-6011",
    "planned_absorption": "900.00",
    "kpi_name": "Αιτήσεις",
    "kpi_unit": "αριθμός",
    "kpi_baseline": "10",
    "kpi_target": "20",
    "kpi_direction": "increase",
    "notes": "Σημειώσεις",
}


@pytest.fixture
def plan(client, w, cycle, ed):
    return pb.new_plan(client, w.t11, ed)


@pytest.fixture
def item(client, plan, ed):
    return pb.add_item(client, plan["id"], ed, **OPTIONAL)


def _plan_version(client, plan_id, headers):
    return client.get(f"{API}/plans/{plan_id}", headers=headers).json()["version"]


class TestPatchItem:
    def test_only_sent_fields_change(self, client, item, ed):
        r = pb.patch_item(client, item["id"], ed, {"title": "Νέος τίτλος", "budget": 1500})
        assert r.status_code == 200, r.text
        after = r.json()
        assert (after["title"], after["budget"], after["version"]) == ("Νέος τίτλος", "1500.00", 2)
        assert r.headers["ETag"] == '"2"'
        untouched = {k for k in item if k not in ("title", "budget", "version", "updated_at")}
        assert {k: after[k] for k in untouched} == {k: item[k] for k in untouched}
        assert client.get(f"{API}/items/{item['id']}", headers=ed).json() == after

    def test_null_clears_every_optional_field(self, client, item, ed):
        r = pb.patch_item(client, item["id"], ed, dict.fromkeys(OPTIONAL))
        assert r.status_code == 200, r.text
        assert all(r.json()[k] is None for k in OPTIONAL), r.json()
        assert (r.json()["title"], r.json()["code"], r.json()["weight"]) == (
            item["title"],
            item["code"],
            "1",
        )

    @pytest.mark.parametrize("field", ["title", "kind", "weight"])
    def test_null_on_a_required_field_is_422(self, client, item, ed, field):
        r = pb.patch_item(client, item["id"], ed, {field: None})
        assert ["body", field] in error_locs(assert_problem(r, 422))
        assert client.get(f"{API}/items/{item['id']}", headers=ed).json()["version"] == 1

    def test_null_code_keeps_the_code(self, client, item, ed):
        r = pb.patch_item(client, item["id"], ed, {"code": None, "notes": "x"})
        assert r.status_code == 200, r.text
        assert r.json()["code"] == item["code"]

    @pytest.mark.parametrize(
        ("patch", "loc"),
        [
            ({"planned_end": "2027-01-15"}, "planned_end"),  # before the stored start
            ({"planned_start": "2027-07-01"}, "planned_end"),  # after the stored end
            ({"planned_absorption": "1000.01"}, "planned_absorption"),  # above the stored budget
            ({"budget": "899.99"}, "planned_absorption"),
            ({"kpi_name": None}, "kpi_baseline"),
            ({"kpi_target": "5"}, "kpi_direction"),  # below the stored baseline, increasing
            ({"planned_start": None, "planned_end": "2026-12-31"}, "planned_end"),
            ({"planned_start": "2028-01-01", "planned_end": None}, "planned_start"),
            ({"budget": "-3"}, "budget"),
            ({"weight": 0}, "weight"),
            ({"status": "draft"}, "status"),
            ({"version": 9}, "version"),
            ({"plan_id": 1}, "plan_id"),
            ({"code": "A B"}, "code"),
        ],
    )
    def test_merged_state_is_validated(self, client, item, ed, patch, loc):
        problem = assert_problem(pb.patch_item(client, item["id"], ed, patch), 422)
        assert ["body", loc] in error_locs(problem), problem
        assert client.get(f"{API}/items/{item['id']}", headers=ed).json() == item

    def test_assignees_replaced_and_cleared(self, client, session, w, item, ed):
        a, b = employee(session, w.t11, "Α"), employee(session, w.t11, "Β")
        r = pb.patch_item(client, item["id"], ed, {"assignee_ids": [a.id, b.id]})
        assert sorted(r.json()["assignee_ids"]) == sorted([a.id, b.id])
        r = pb.patch_item(client, item["id"], ed, {"assignee_ids": [b.id]})
        assert r.json()["assignees"] == [{"id": b.id, "full_name": "Β"}]
        other = employee(session, w.t12)
        r = pb.patch_item(client, item["id"], ed, {"assignee_ids": [b.id, other.id]})
        assert error_locs(assert_problem(r, 422)) == [["body", "assignee_ids", 1]]
        r = pb.patch_item(client, item["id"], ed, {"assignee_ids": []})
        assert (r.json()["assignee_ids"], r.json()["version"]) == ([], 4)

    def test_stored_assignee_who_left_does_not_block_other_edits(
        self, client, session, w, plan, ed
    ):
        emp = employee(session, w.t11)
        it = pb.add_item(client, plan["id"], ed, assignee_ids=[emp.id])
        emp.active = False
        session.flush()
        r = pb.patch_item(client, it["id"], ed, {"notes": "ok"})
        assert r.status_code == 200, r.text
        assert r.json()["assignee_ids"] == [emp.id]

    def test_duplicate_code_is_409(self, client, plan, item, ed):
        other = pb.add_item(client, plan["id"], ed, code="B-1")
        body = assert_problem(pb.patch_item(client, other["id"], ed, {"code": item["code"]}), 409)
        assert f"item {item['id']}" in body["detail"]
        # Its own code, in another case, is not a duplicate.
        r = pb.patch_item(client, other["id"], ed, {"code": "b-1"})
        assert r.status_code == 200 and r.json()["code"] == "b-1"

    def test_a_patch_that_changes_nothing_makes_no_version(self, client, plan, item, ed):
        before = _plan_version(client, plan["id"], ed)
        same = {"title": item["title"], "budget": 1000, "weight": "1.0", "kpi_baseline": 10.0}
        r = pb.patch_item(client, item["id"], ed, same)
        assert r.status_code == 200, r.text
        assert r.json()["version"] == 1
        assert _plan_version(client, plan["id"], ed) == before

    def test_roles_and_scope(self, client, session, w, item):
        for who, status in [("viewer", 403), ("quality", 403), ("admin_b", 404)]:
            r = pb.patch_item(client, item["id"], auth(getattr(w, who)), {"notes": "x"}, '"1"')
            assert_problem(r, status)
        other = pb.item(session, pb.plan(session, w.t12), "001")
        assert_problem(client.get(f"{API}/items/{other.id}", headers=auth(w.editor)), 404)
        r = pb.patch_item(client, other.id, auth(w.editor), {"notes": "x"}, '"1"')
        assert_problem(r, 404)
        assert pb.patch_item(client, item["id"], auth(w.admin), {"notes": "x"}).status_code == 200


class TestDeleteItem:
    def test_item_is_removed(self, client, session, plan, item, ed):
        r = pb.delete_item(client, item["id"], ed)
        assert r.status_code == 204, r.text
        assert_problem(client.get(f"{API}/items/{item['id']}", headers=ed), 404)
        assert pb.count(session, Item) == 0
        assert client.get(f"{API}/plans/{plan['id']}", headers=ed).json()["items"] == []

    def test_an_item_carried_over_into_next_year_is_kept(self, client, session, w, cycle, ed):
        # An amendment of last year's plan (reopened) after this year's plan took the item over.
        pb.cycle(session, w.a, 2026)
        old = pb.item(session, pb.plan(session, w.t11, 2026, baseline_no=1), "001")
        copy = pb.item(session, pb.plan(session, w.t11), "001", carried_over_from_id=old.id)
        body = assert_problem(pb.delete_item(client, old.id, ed), 409)
        assert body["detail"] == (
            f"item {old.id} cannot be deleted: it was carried over into plan {copy.plan_id} "
            f"(item {copy.id})"
        )
        assert client.get(f"{API}/items/{old.id}", headers=ed).status_code == 200
        # The copy itself goes freely.
        assert pb.delete_item(client, copy.id, ed).status_code == 204
        assert pb.delete_item(client, old.id, ed).status_code == 204

    def test_roles_and_scope(self, client, session, w, item):
        for who, status in [("viewer", 403), ("quality", 403), ("admin_b", 404), ("nobody", 404)]:
            r = client.delete(
                f"{API}/items/{item['id']}", headers={**auth(getattr(w, who)), "If-Match": '"1"'}
            )
            assert_problem(r, status)
        assert pb.count(session, Item) == 1


class TestItemChangesAndThePlan:
    def test_every_item_change_bumps_the_plan_version(self, client, plan, ed):
        tags = [pb.etag(client, f"{API}/plans/{plan['id']}", ed)]
        it = pb.add_item(client, plan["id"], ed)
        tags.append(pb.etag(client, f"{API}/plans/{plan['id']}", ed))
        assert pb.patch_item(client, it["id"], ed, {"title": "Άλλο"}).status_code == 200
        tags.append(pb.etag(client, f"{API}/plans/{plan['id']}", ed))
        assert pb.delete_item(client, it["id"], ed).status_code == 204
        tags.append(pb.etag(client, f"{API}/plans/{plan['id']}", ed))
        assert tags == ['"1"', '"2"', '"3"', '"4"']
        # So an approval of the plan as read before an item change is refused.
        assert_problem(pb.step(client, plan["id"], "submit", ed, if_match='"3"'), 412)

    @pytest.mark.parametrize("change", ["create", "update", "delete"])
    def test_a_returned_plan_becomes_draft_on_the_next_item_edit(
        self, client, session, w, cycle, ed, change
    ):
        stored = pb.plan(session, w.t11, status="returned", return_comment="Λείπουν ημερομηνίες")
        it = pb.item(session, stored, "001")
        if change == "create":
            r = client.post(f"{API}/plans/{stored.id}/items", json=pb.item_body(), headers=ed)
            assert r.status_code == 201, r.text
        elif change == "update":
            assert pb.patch_item(client, it.id, ed, {"notes": "Προστέθηκαν"}).status_code == 200
        else:
            assert pb.delete_item(client, it.id, ed).status_code == 204
        plan = client.get(f"{API}/plans/{stored.id}", headers=ed).json()
        assert (plan["status"], plan["version"]) == ("draft", 2)

    @pytest.mark.parametrize("status", ["submitted", "approved"])
    def test_items_of_a_submitted_or_approved_plan_do_not_change(
        self, client, session, w, cycle, ed, status
    ):
        stored = pb.plan(session, w.t11, status=status)
        it = pb.item(session, stored, "001")
        why = f"plan {stored.id} is {status}: only draft or returned plans change"
        assert (
            assert_problem(pb.patch_item(client, it.id, ed, {"notes": "x"}), 409)["detail"] == why
        )
        assert assert_problem(pb.delete_item(client, it.id, ed), 409)["detail"] == why
        assert client.get(f"{API}/items/{it.id}", headers=ed).json()["version"] == 1

    def test_list_items_filters(self, client, session, w, cycle, ed):
        stored = pb.plan(session, w.t11)
        pb.item(session, stored, "001", kind="project")
        pb.item(session, stored, "002")
        pb.item(session, stored, "003", unplanned=True)
        url = f"{API}/plans/{stored.id}/items"

        def codes(query: str) -> list[str]:
            return [i["code"] for i in client.get(url + query, headers=ed).json()["items"]]

        assert codes("") == ["001", "002", "003"]
        assert codes("?kind=project") == ["001"]
        assert codes("?unplanned=true") == ["003"]
        assert codes("?unplanned=false&kind=action") == ["002"]
        assert_problem(client.get(url, headers=auth(w.quality_b)), 404)
