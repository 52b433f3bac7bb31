"""Hostile and broken input: each case is a clear 4xx problem+json that says what, where and
why, writes nothing (no row of any table, no audit event), and leaves the service answering.
Valid Unicode that is accepted comes back exactly as sent. The same cases run on SQLite and on
PostgreSQL, whose text cannot hold NUL: both must refuse it with 422 before a query is made.
"""

import json
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlmodel import Session, SQLModel

from app.core.config import get_settings
from app.core.pagination import MAX_OFFSET
from app.planning.models import Item, Plan
from app.reporting.models import Outcome
from tests import plan_builders as pb
from tests.builders import PASSWORD, World, auth
from tests.helpers import API, assert_problem, error_locs

JSON = {"Content-Type": "application/json"}


class Hostile:
    """The world, a draft 2027 plan of T11 with one item, an approved 2026 plan (for
    outcomes), and who sends what."""

    def __init__(self, session: Session) -> None:
        self.w = World(session)
        pb.cycle(session, self.w.a, 2026)
        pb.cycle(session, self.w.a, 2027)
        self.plan: Plan = pb.plan(session, self.w.t11, 2027)
        self.item: Item = pb.item(session, self.plan, "001")
        self.approved: Plan = pb.plan(session, self.w.t11, 2026, status="approved", baseline_no=1)
        self.reported: Item = pb.item(session, self.approved, "001")
        self.ed = auth(self.w.editor)
        self.adm = auth(self.w.admin)
        self.root = auth(self.w.superuser)


@pytest.fixture
def h(session: Session) -> Hostile:
    return Hostile(session)


def rows(session: Session) -> dict[str, int]:
    """The number of rows of every table (the audit trail among them)."""
    return {
        t.name: session.scalar(select(func.count()).select_from(t)) or 0
        for t in SQLModel.metadata.sorted_tables
    }


def refused(
    client: TestClient,
    session: Session,
    h: Hostile,
    method: str,
    url: str,
    *,
    status: int = 422,
    where: list[str | int] | None = None,
    **kwargs: Any,
) -> dict[str, Any]:
    """Send the request; it must be refused with `status` as a problem that names `where`
    (a prefix of some error's loc), change no table, and leave the service answering."""
    session.commit()  # what the test built, as the request's session would first
    before = rows(session)
    body = assert_problem(client.request(method, f"{API}{url}", **kwargs), status)
    if where is not None:
        locs = error_locs(body)
        assert any(loc[: len(where)] == where for loc in locs), locs
        assert all(e["message"] for e in body["errors"]), body
    assert rows(session) == before, "a refused request wrote something"
    assert client.get("/healthz").status_code == 200
    me = client.get(f"{API}/auth/me", headers=h.ed)
    assert me.status_code == 200 and me.json()["username"] == "editor-t11"
    return body


def post_item(client, session, h, body: Any, where: list[str | int] | None = None):  # type: ignore[no-untyped-def]
    """An item that is valid but for what `body` changes, sent as raw JSON text."""
    raw = body if isinstance(body, str | bytes) else json.dumps(body)
    return refused(
        client,
        session,
        h,
        "POST",
        f"/plans/{h.plan.id}/items",
        where=where,
        content=raw,
        headers=h.ed | JSON,
    )


def item(**fields: Any) -> dict[str, Any]:
    return pb.item_body(**fields)


class TestMalformedJson:
    @pytest.mark.parametrize(
        "raw",
        [
            '{"kind": "action", "title": "Τ"',  # cut short
            "{'kind': 'action', 'title': 'Τ'}",  # single quotes
            '{"kind": "action", "title": "Τ",}',  # trailing comma
            '{"kind": "action", /* a comment */ "title": "Τ"}',
            '{"kind": "action" "title": "Τ"}',  # a comma missing
            '{"kind": action, "title": "Τ"}',  # a bare word
            "",
            "   ",
        ],
        ids=["cut", "quotes", "comma", "comment", "no-comma", "bare", "empty", "blank"],
    )
    def test_not_json(self, client, session, h, raw):
        post_item(client, session, h, raw, where=["body"])

    @pytest.mark.parametrize("raw", ["null", "[]", '"Τ"', "42", "true", '[{"kind": "action"}]'])
    def test_json_but_not_an_object(self, client, session, h, raw):
        post_item(client, session, h, raw, where=["body"])

    def test_not_utf8(self, client, session, h):
        body = post_item(client, session, h, b'{"kind": "action", "title": "\xff\xfe\xc0"}')
        assert "UTF-8" in body["detail"]

    def test_nested_deeper_than_a_parser_goes(self, client, session, h):
        body = post_item(client, session, h, "[" * 200_000 + "]" * 200_000)
        assert "nested" in body["detail"]

    def test_a_number_of_thousands_of_digits(self, client, session, h):
        body = post_item(
            client, session, h, '{"kind": "action", "title": "Τ", "budget": 1' + "0" * 5000 + "}"
        )
        assert "digits" in body["detail"]

    def test_json_sent_as_form(self, client, session, h):
        refused(
            client,
            session,
            h,
            "POST",
            f"/plans/{h.plan.id}/items",
            where=["body"],
            data={"kind": "action", "title": "Τ"},
            headers=h.ed,
        )

    def test_json_sent_as_plain_text(self, client, session, h):
        refused(
            client,
            session,
            h,
            "POST",
            f"/plans/{h.plan.id}/items",
            where=["body"],
            content=json.dumps(item()),
            headers=h.ed | {"Content-Type": "text/plain"},
        )


class TestHugeBodies:
    def size(self) -> int:
        return get_settings().max_body_bytes

    def test_declared_length_over_the_limit_is_413(self, client, session, h):
        title = "Τ" * (self.size() // 2 + 1)  # two bytes each in UTF-8
        body = refused(
            client,
            session,
            h,
            "POST",
            f"/plans/{h.plan.id}/items",
            status=413,
            content=json.dumps(item(title=title), ensure_ascii=False).encode(),
            headers=h.ed | JSON,
        )
        assert str(self.size()) in body["detail"]

    def test_streamed_body_over_the_limit_is_413(self, client, session, h):
        chunk = b" " * (1024 * 1024)
        chunks = iter([b'{"kind": "action", "title": "T", "notes": "', *[chunk] * 11, b'"}'])
        refused(
            client,
            session,
            h,
            "POST",
            f"/plans/{h.plan.id}/items",
            status=413,
            content=chunks,
            headers=h.ed | JSON,
        )

    def test_text_far_over_its_length_is_422(self, client, session, h):
        post_item(client, session, h, item(title="Τ" * 1_000_000), where=["body", "title"])

    def test_a_list_far_over_its_length_is_422(self, client, session, h):
        ids = list(range(1, 100_001))
        post_item(client, session, h, item(assignee_ids=ids), where=["body", "assignee_ids"])

    def test_thousands_of_unknown_fields_are_422(self, client, session, h):
        body = item() | {f"field{i}": i for i in range(5000)}
        problem = post_item(client, session, h, body, where=["body", "field0"])
        assert len(problem["detail"]) < 500  # says where, without repeating all of them


class TestWrongTypes:
    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("title", 123),
            ("title", ["Τ"]),
            ("kind", ["action"]),
            ("kind", "ACTION"),
            ("budget", True),
            ("budget", {"amount": "10.00"}),
            ("budget", [10]),
            ("weight", False),
            ("assignee_ids", "1,2"),
            ("assignee_ids", [True]),
            ("assignee_ids", [1.5]),
            ("assignee_ids", {"1": 1}),
            ("planned_start", 1798761600),  # seconds since 1970: not a date here
            ("planned_start", True),
            ("funding_source", 1),
        ],
    )
    def test_item_field(self, client, session, h, field, value):
        post_item(client, session, h, item(**{field: value}), where=["body", field])

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("year", "two thousand"),
            ("year", 2027.5),
            ("year", True),
            ("year", None),
            ("org_unit_id", "7abc"),
            ("org_unit_id", True),
            ("carry_over", "yes"),
            ("carry_over", 1),
            ("carry_over", "false"),
        ],
    )
    def test_plan_field(self, client, session, h, field, value):
        body = {"org_unit_id": h.w.t12.id, "year": 2027} | {field: value}
        refused(
            client, session, h, "POST", "/plans", where=["body", field], json=body, headers=h.adm
        )

    @pytest.mark.parametrize("value", [0, 2**31, 10**30])
    def test_ids_past_an_integer_column(self, client, session, h, value):
        body = {"parent_id": value, "code": "X1", "name": "Νέα", "kind": "department"}
        refused(
            client,
            session,
            h,
            "POST",
            "/org-units",
            where=["body", "parent_id"],
            json=body,
            headers=h.adm,
        )
        item_body = item(assignee_ids=[value])
        post_item(client, session, h, item_body, where=["body", "assignee_ids"])

    def test_org_unit_parent_as_boolean(self, client, session, h):
        body = {"parent_id": True, "code": "X1", "name": "Νέα", "kind": "department"}
        refused(
            client,
            session,
            h,
            "POST",
            "/org-units",
            where=["body", "parent_id"],
            json=body,
            headers=h.adm,
        )


# Text that must round-trip exactly: nothing normalized, nothing lost.
UNICODE = {
    "final-sigma": "Ανάπλαση πλατείας και ΑΝΑΠΛΑΣΗ ΟΔΟΣ: ς σ Σ",
    "combining": "Τμη\u0301μα Προγραμματισμου\u0301 (NFD) και Τμήμα (NFC)",
    "emoji": "Ποδήλατα 🚲 για όλους 👩\u200d👩\u200d👧 🇬🇷",
    "rtl": "مرحبا بالعالم \u202eabc\u202c עברית",
    "mixed": "Δήμος «Θεσσαλονίκης» — 50 % ≤ ∑ € \u00a0 \u2028 ok",
    "astral": "𝔄𝔭𝔬𝔩𝔬𝔤𝔦𝔰𝔪𝔬𝔰 𠜎",
}


class TestUnicode:
    @pytest.mark.parametrize("text", UNICODE.values(), ids=UNICODE.keys())
    def test_item_text_round_trips_exactly(self, client, session, h, text):
        r = client.post(
            f"{API}/plans/{h.plan.id}/items",
            json=item(title=text[:300], description=text, notes=text),
            headers=h.ed,
        )
        assert r.status_code == 201, r.text
        read = client.get(f"{API}/items/{r.json()['id']}", headers=h.ed).json()
        assert (read["title"], read["description"], read["notes"]) == (text[:300], text, text)

    @pytest.mark.parametrize("text", UNICODE.values(), ids=UNICODE.keys())
    def test_unit_name_round_trips_exactly(self, client, session, h, text):
        body = {"parent_id": h.w.d1.id, "code": "U1", "name": text, "kind": "department"}
        r = client.post(f"{API}/org-units", json=body, headers=h.adm)
        assert r.status_code == 201, r.text
        assert client.get(f"{API}/org-units/{r.json()['id']}", headers=h.adm).json()["name"] == text

    @pytest.mark.parametrize("again", ["ΤΜΗΜΑΣ", "τμημας", "ΤμΗμΑς", "τμημασ"])
    def test_codes_differing_in_case_or_final_sigma_are_one_code(self, client, session, h, again):
        first = {"parent_id": h.w.d1.id, "code": "ΤΜΗΜΑΣ", "name": "Α", "kind": "department"}
        assert client.post(f"{API}/org-units", json=first, headers=h.adm).status_code == 201
        body = refused(
            client,
            session,
            h,
            "POST",
            "/org-units",
            status=409,
            json=first | {"code": again, "name": "Β"},
            headers=h.adm,
        )
        assert "already used" in body["detail"]

    @pytest.mark.parametrize("q", ["ΔΉΜΟΣ", "δήμος", "δήμοσ", "ΘΕΣΣΑΛΟΝΊΚΗΣ"])
    def test_search_folds_case_and_final_sigma(self, client, session, h, q):
        r = client.get(f"{API}/org-units", params={"q": q}, headers=h.adm)
        assert r.status_code == 200, r.text
        assert [u["code"] for u in r.json()["items"]] == ["THESS"]


class TestNul:
    """PostgreSQL text cannot hold U+0000: refused with 422 on both backends, never a 500."""

    @pytest.mark.parametrize("field", ["title", "description", "notes", "budget_code", "code"])
    def test_item_text(self, client, session, h, field):
        post_item(client, session, h, item(**{field: "a\x00b"}), where=["body", field])

    def test_nul_alone(self, client, session, h):
        post_item(client, session, h, item(title="\x00"), where=["body", "title"])

    def test_item_update(self, client, session, h):
        refused(
            client,
            session,
            h,
            "PATCH",
            f"/items/{h.item.id}",
            where=["body", "notes"],
            json={"notes": "x\x00"},
            headers=h.ed | {"If-Match": '"1"'},
        )

    @pytest.mark.parametrize("field", ["code", "name"])
    def test_org_unit(self, client, session, h, field):
        body = {"parent_id": h.w.d1.id, "code": "N1", "name": "Νέα", "kind": "department"}
        refused(
            client,
            session,
            h,
            "POST",
            "/org-units",
            where=["body", field],
            json=body | {field: "Ν\x00"},
            headers=h.adm,
        )

    def test_employee(self, client, session, h):
        body = {"org_unit_id": h.w.t11.id, "full_name": "Μαρία\x00", "job_title": "ΠΕ"}
        refused(
            client,
            session,
            h,
            "POST",
            "/employees",
            where=["body", "full_name"],
            json=body,
            headers=h.adm,
        )

    def test_user(self, client, session, h):
        body = {"username": "new.user", "full_name": "Ν\x00", "password": "a long passphrase ok"}
        refused(
            client,
            session,
            h,
            "POST",
            "/users",
            where=["body", "full_name"],
            json=body,
            headers=h.adm,
        )

    def test_workflow_comment(self, client, session, h):
        submitted = pb.plan(session, h.w.t12, 2027, status="submitted")
        refused(
            client,
            session,
            h,
            "POST",
            f"/plans/{submitted.id}/return",
            where=["body", "comment"],
            json={"comment": "Λείπουν\x00"},
            headers=auth(h.w.quality) | {"If-Match": '"1"'},
        )

    def test_outcome_reason(self, client, session, h):
        body = {"status": "postponed", "deviation_category": "other", "deviation_reason": "\x00"}
        refused(
            client,
            session,
            h,
            "PUT",
            f"/items/{h.reported.id}/outcome",
            where=["body", "deviation_reason"],
            json=body,
            headers=h.ed,
        )

    def test_password_change(self, client, session, h):
        refused(
            client,
            session,
            h,
            "POST",
            "/auth/password",
            where=["body", "new_password"],
            json={"current_password": PASSWORD, "new_password": "a long passphrase\x00"},
            headers=h.ed,
        )

    @pytest.mark.parametrize("field", ["username", "password"])
    def test_login_form(self, client, session, h, field):
        form = {"username": "editor-t11", "password": PASSWORD} | {field: "editor\x00t11"}
        refused(client, session, h, "POST", "/auth/token", where=["body", field], data=form)

    @pytest.mark.parametrize(
        ("path", "param"),
        [
            ("/org-units", "q"),
            ("/employees", "q"),
            ("/users", "q"),
            ("/audit-events", "entity_type"),
            ("/audit-events", "action"),
        ],
    )
    def test_query_text(self, client, session, h, path, param):
        refused(
            client,
            session,
            h,
            "GET",
            path,
            where=["query", param],
            params={param: "Τμ\x00"},
            headers=h.root,
        )

    def test_unknown_field_named_with_nul(self, client, session, h):
        post_item(client, session, h, item() | {"\x00": 1}, where=["body", "\x00"])


class TestLoneSurrogates:
    """JSON can spell half of a surrogate pair ("\\ud800"), which is no character at all."""

    def test_in_a_text_field(self, client, session, h):
        raw = json.dumps(item()).replace('"title": "', '"title": "\\ud800', 1)
        post_item(client, session, h, raw, where=["body", "title"])

    def test_as_an_unknown_field_name(self, client, session, h):
        raw = json.dumps(item())[:-1] + ', "x\\udfff": 1}'
        body = post_item(client, session, h, raw)
        assert any(loc[:1] == ["body"] for loc in error_locs(body))


class TestMoney:
    @pytest.mark.parametrize(
        "amount",
        [
            "-1",
            -0.01,
            "-999999999",
            "1000000000000",
            1e300,
            "1e400",
            "Infinity",
            "-Infinity",
            "NaN",
            "sNaN",
            "0.001",
            "12,50",
            "1 000",
            "€12",
            "",
            "0x10",
            "-0",
            "+5",
            " 5",
            "5.",
            ".5",
        ],
    )
    @pytest.mark.parametrize("field", ["budget", "planned_absorption"])
    def test_item_amounts(self, client, session, h, field, amount):
        post_item(client, session, h, item(**{field: amount}), where=["body", field])

    @pytest.mark.parametrize("weight", ["0", "-1", "1001", "NaN", "0.001"])
    def test_weight(self, client, session, h, weight):
        post_item(client, session, h, item(weight=weight), where=["body", "weight"])

    def test_absorption_over_the_budget(self, client, session, h):
        body = item(budget="100.00", planned_absorption="100.01")
        post_item(client, session, h, body, where=["body", "planned_absorption"])

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("actual_absorption", "-1"),
            ("actual_absorption", "1e13"),
            ("progress_pct", "100.01"),
            ("progress_pct", "-1"),
            ("kpi_actual", "1e30"),
        ],
    )
    def test_outcome_numbers(self, client, session, h, field, value):
        body = {"status": "in_progress", field: value}
        refused(
            client,
            session,
            h,
            "PUT",
            f"/items/{h.reported.id}/outcome",
            where=["body", field],
            json=body,
            headers=h.ed,
        )
        assert pb.count(session, Outcome) == 0

    def test_negative_zero_is_stored_as_zero(self, client, session, h):
        r = client.post(f"{API}/plans/{h.plan.id}/items", json=item(budget=-0.0), headers=h.ed)
        assert r.status_code == 201, r.text
        assert r.json()["budget"] == "0.00"
        stored = session.get(Item, r.json()["id"])
        assert stored is not None and stored.budget == Decimal("0.00")


BAD_DATES = [
    "2026-02-30",
    "2027-02-29",  # not a leap year
    "2027-13-01",
    "2027-00-10",
    "2027-04-31",
    "0000-01-01",
    "99999-01-01",
    "2027-1-5",
    "31/03/2027",
    "2027-03-31T25:00:00",
    "",
    "yesterday",
]


class TestDates:
    @pytest.mark.parametrize("value", BAD_DATES)
    def test_item_dates(self, client, session, h, value):
        post_item(client, session, h, item(planned_start=value), where=["body", "planned_start"])

    @pytest.mark.parametrize("value", BAD_DATES)
    def test_cycle_deadlines(self, client, session, h, value):
        body = {"year": 2028, "plan_deadline": value, "report_deadline": "2028-02-28"}
        refused(
            client,
            session,
            h,
            "POST",
            "/cycles",
            where=["body", "plan_deadline"],
            json=body,
            headers=h.adm,
        )

    @pytest.mark.parametrize("value", ["1999-12-31", "2101-01-01"])
    def test_dates_outside_the_centuries_served(self, client, session, h, value):
        post_item(client, session, h, item(planned_end=value), where=["body", "planned_end"])

    def test_end_before_start(self, client, session, h):
        body = item(planned_start="2027-06-30", planned_end="2027-06-29")
        post_item(client, session, h, body, where=["body", "planned_end"])


ABSURD_YEARS = [0, -1, 1999, 2101, 99999, 2**31, 2**63, 10**30]


class TestYears:
    @pytest.mark.parametrize("year", ABSURD_YEARS)
    def test_new_plan(self, client, session, h, year):
        body = {"org_unit_id": h.w.t12.id, "year": year}
        refused(
            client, session, h, "POST", "/plans", where=["body", "year"], json=body, headers=h.adm
        )

    @pytest.mark.parametrize("year", ABSURD_YEARS)
    def test_new_cycle(self, client, session, h, year):
        body = {"year": year, "plan_deadline": "2028-01-31", "report_deadline": "2028-02-28"}
        refused(
            client, session, h, "POST", "/cycles", where=["body", "year"], json=body, headers=h.adm
        )

    @pytest.mark.parametrize("year", [0, -1, 99999, 10**30])
    @pytest.mark.parametrize(
        "path",
        ["/plans", "/cycles", "/corrective-actions", "/metrics/completion", "/metrics/deviations"],
    )
    def test_query(self, client, session, h, path, year):
        refused(
            client,
            session,
            h,
            "GET",
            path,
            where=["query", "year"],
            params={"year": year},
            headers=h.adm,
        )

    @pytest.mark.parametrize("year", [0, 99999, 10**30])
    def test_workbook(self, client, session, h, year):
        refused(
            client,
            session,
            h,
            "GET",
            f"/org-units/{h.w.t11.id}/workbook",
            where=["query", "year"],
            params={"year": year},
            headers=h.ed,
        )


LISTS = ["/org-units", "/employees", "/users", "/cycles", "/plans", "/audit-events"]


class TestPagination:
    @pytest.mark.parametrize(
        "params",
        [
            {"offset": 10**9},
            {"offset": 10**30},
            {"offset": MAX_OFFSET + 1},
            {"offset": -1},
            {"limit": 10**9},
            {"limit": 10**30},
            {"limit": -1},
            {"limit": 0},
            {"limit": 1.5},
            {"limit": "NaN"},
            {"offset": "1e3"},
        ],
        ids=lambda p: f"{next(iter(p))}={next(iter(p.values()))}",
    )
    @pytest.mark.parametrize("path", LISTS)
    def test_absurd_pages_are_422(self, client, session, h, path, params):
        name = next(iter(params))
        refused(
            client, session, h, "GET", path, where=["query", name], params=params, headers=h.root
        )

    @pytest.mark.parametrize("path", LISTS)
    def test_the_deepest_page_allowed_is_empty(self, client, h, path):
        r = client.get(f"{API}{path}", params={"offset": MAX_OFFSET}, headers=h.root)
        assert r.status_code == 200, r.text
        assert r.json()["items"] == [] and r.json()["offset"] == MAX_OFFSET

    def test_deviations_page(self, client, session, h):
        params = {"year": 2027, "org_unit_id": h.w.a.id, "offset": 10**9}
        refused(
            client,
            session,
            h,
            "GET",
            "/metrics/deviations",
            where=["query", "offset"],
            params=params,
            headers=h.adm,
        )


class TestAbsurdIds:
    @pytest.mark.parametrize("value", [0, -1, 2**31, 2**63, 10**30, "1e3", "7abc"])
    @pytest.mark.parametrize(
        ("path", "param"),
        [
            ("/org-units", "parent_id"),
            ("/org-units", "under"),
            ("/employees", "org_unit_id"),
            ("/users", "municipality_id"),
            ("/cycles", "municipality_id"),
            ("/plans", "org_unit_id"),
            ("/corrective-actions", "under"),
            ("/audit-events", "entity_id"),
            ("/audit-events", "user_id"),
        ],
    )
    def test_query_ids(self, client, session, h, path, param, value):
        refused(
            client,
            session,
            h,
            "GET",
            path,
            where=["query", param],
            params={param: value},
            headers=h.root,
        )

    @pytest.mark.parametrize("value", ["0", "-1", str(2**31), str(2**63), str(10**30), "1.5", "x"])
    @pytest.mark.parametrize("path", ["/plans/{}", "/items/{}", "/org-units/{}", "/users/{}"])
    def test_path_ids(self, client, session, h, path, value):
        refused(client, session, h, "GET", path.format(value), where=["path"], headers=h.root)

    @pytest.mark.parametrize(
        "value",
        [
            "0.5",
            "1798761600",
            "0001-01-01T00:00:00+14:00",
            "9999-12-31T23:59:59-14:00",
            "1999-12-31T23:00:00Z",
            "soon",
        ],
    )
    @pytest.mark.parametrize("param", ["since", "until"])
    def test_audit_times(self, client, session, h, param, value):
        refused(
            client,
            session,
            h,
            "GET",
            "/audit-events",
            where=["query", param],
            params={param: value},
            headers=h.root,
        )
