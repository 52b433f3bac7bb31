import io

from openpyxl import load_workbook
from sqlmodel import select

from app.org.models import Employee, OrgUnit
from tests.builders import World, auth
from tests.excel.helpers import upload


def _fill(data: bytes) -> bytes:
    wb = load_workbook(io.BytesIO(data))
    units, staff = wb["Μονάδες"], wb["Υπάλληλοι"]
    n = units.max_row + 1
    units.cell(row=n, column=1, value="T13")
    units.cell(row=n, column=2, value="Τμήμα Ταμείου")
    units.cell(row=n, column=3, value="Τμήμα")
    units.cell(row=n, column=4, value="D1")
    staff.append(["T13", "Ελένη Οικονόμου", "e.oikonomou@example.gr", "ΠΕ Οικονομικού", "Ναι"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_org_chart_round_trip(client, session):
    w = World(session)
    h = auth(w.admin)
    r = client.get(f"/api/v1/org-units/{w.a.id}/org-chart-workbook", headers=h)
    assert r.status_code == 200, r.text
    filled = _fill(r.content)
    r = upload(client, h, filled)
    assert r.status_code == 200, r.text
    assert r.json()["summary"]["units"]["created"] == 1, r.json()
    assert r.json()["summary"]["employees"]["created"] == 1, r.json()
    assert session.scalar(select(OrgUnit).where(OrgUnit.code == "T13")) is None
    r = upload(client, h, filled, dry_run="false")
    assert r.status_code == 201, r.text
    unit = session.scalar(select(OrgUnit).where(OrgUnit.code == "T13"))
    assert unit is not None and unit.parent_id == w.d1.id
    assert session.scalar(select(Employee).where(Employee.org_unit_id == unit.id)) is not None
    r = upload(client, h, filled, dry_run="false")
    assert r.json()["summary"]["units"]["created"] == 0
    assert r.json()["summary"]["units"]["unchanged"] == 6, r.json()
    r = client.get(f"/api/v1/org-units/{w.a.id}/org-chart-workbook", headers=auth(w.editor))
    assert r.status_code in (403, 404)
