"""HTTP endpoints of the org chart: org units and employees."""

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from app.auth.deps import CallerDep
from app.core.db import SessionDep
from app.core.http import IfMatchHeader, TextParam, check_version, problems, set_etag
from app.core.pagination import Page, PageDep, page_of
from app.core.schemas import RowId
from app.org import service
from app.org.deps import ManagedEmployee, ManagedUnit, ReadableEmployee, ReadableUnit
from app.org.models import UnitKind
from app.org.schemas import (
    EmployeeCreate,
    EmployeePublic,
    EmployeeUpdate,
    OrgUnitCreate,
    OrgUnitNode,
    OrgUnitPublic,
    OrgUnitUpdate,
)

router = APIRouter(tags=["org chart"])

Search = Annotated[TextParam | None, Query(description="text in the name or code")]
Id = Annotated[RowId | None, Query()]


@router.get("/org-units", summary="List org units in your scope", responses=problems())
def list_org_units(
    session: SessionDep,
    caller: CallerDep,
    page: PageDep,
    municipality_id: Id = None,
    parent_id: Id = None,
    under: Annotated[
        RowId | None, Query(description="only this unit and the units below it")
    ] = None,
    kind: UnitKind | None = None,
    active: bool | None = None,
    q: Search = None,
) -> Page[OrgUnitPublic]:
    stmt = service.list_units_stmt(
        caller,
        municipality_id=municipality_id,
        parent_id=parent_id,
        under=under,
        kind=kind,
        active=active,
        q=q,
    )
    return page_of(session, stmt, page, OrgUnitPublic)


@router.post(
    "/org-units",
    status_code=status.HTTP_201_CREATED,
    summary="Create an org unit",
    responses=problems(403, 404, 409, 413),
)
def create_org_unit(
    body: OrgUnitCreate, session: SessionDep, caller: CallerDep, response: Response
) -> OrgUnitPublic:
    unit = service.create_unit(session, caller=caller, data=body)
    set_etag(response, unit.version)
    response.headers["Location"] = f"/api/v1/org-units/{unit.id}"
    return OrgUnitPublic.model_validate(unit)


@router.get("/org-units/{unit_id}", summary="Read an org unit", responses=problems(404))
def get_org_unit(unit: ReadableUnit, response: Response) -> OrgUnitPublic:
    set_etag(response, unit.version)
    return OrgUnitPublic.model_validate(unit)


@router.get(
    "/org-units/{unit_id}/tree",
    summary="The unit and every unit below it, nested",
    responses=problems(404),
)
def get_org_unit_tree(unit: ReadableUnit, session: SessionDep) -> OrgUnitNode:
    units = service.subtree(session, unit)
    nodes = {u.id: OrgUnitNode.model_validate(u, from_attributes=True) for u in units}
    for u in units:
        if u.id != unit.id and u.parent_id in nodes:
            nodes[u.parent_id].children.append(nodes[u.id])
    return nodes[unit.id]


@router.patch(
    "/org-units/{unit_id}",
    summary="Change an org unit (rename, move, deactivate)",
    responses=problems(403, 404, 409, 412, 428, 413),
)
def update_org_unit(
    body: OrgUnitUpdate,
    unit: ManagedUnit,
    session: SessionDep,
    caller: CallerDep,
    response: Response,
    if_match: IfMatchHeader = None,
) -> OrgUnitPublic:
    check_version(if_match, unit.version, what=f"org unit {unit.id}")
    unit = service.update_unit(session, caller=caller, unit=unit, data=body)
    set_etag(response, unit.version)
    return OrgUnitPublic.model_validate(unit)


@router.delete(
    "/org-units/{unit_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete an org unit that nothing refers to",
    responses=problems(403, 404, 409, 412, 428),
)
def delete_org_unit(
    unit: ManagedUnit, session: SessionDep, caller: CallerDep, if_match: IfMatchHeader = None
) -> None:
    check_version(if_match, unit.version, what=f"org unit {unit.id}")
    service.delete_unit(session, caller=caller, unit=unit)


@router.get("/employees", summary="List employees in your scope", responses=problems())
def list_employees(
    session: SessionDep,
    caller: CallerDep,
    page: PageDep,
    org_unit_id: Id = None,
    under: Annotated[RowId | None, Query(description="employees of this unit and below")] = None,
    active: bool | None = None,
    q: Annotated[TextParam | None, Query(description="text in the name")] = None,
) -> Page[EmployeePublic]:
    stmt = service.list_employees_stmt(
        caller, org_unit_id=org_unit_id, under=under, active=active, q=q
    )
    return page_of(session, stmt, page, EmployeePublic)


@router.post(
    "/employees",
    status_code=status.HTTP_201_CREATED,
    summary="Add an employee",
    responses=problems(403, 404, 409, 413),
)
def create_employee(
    body: EmployeeCreate, session: SessionDep, caller: CallerDep, response: Response
) -> EmployeePublic:
    emp = service.create_employee(session, caller=caller, data=body)
    set_etag(response, emp.version)
    response.headers["Location"] = f"/api/v1/employees/{emp.id}"
    return EmployeePublic.model_validate(emp)


@router.get("/employees/{employee_id}", summary="Read an employee", responses=problems(404))
def get_employee(emp: ReadableEmployee, response: Response) -> EmployeePublic:
    set_etag(response, emp.version)
    return EmployeePublic.model_validate(emp)


@router.patch(
    "/employees/{employee_id}",
    summary="Change an employee (move, deactivate)",
    responses=problems(403, 404, 409, 412, 428, 413),
)
def update_employee(
    body: EmployeeUpdate,
    emp: ManagedEmployee,
    session: SessionDep,
    caller: CallerDep,
    response: Response,
    if_match: IfMatchHeader = None,
) -> EmployeePublic:
    check_version(if_match, emp.version, what=f"employee {emp.id}")
    emp = service.update_employee(session, caller=caller, emp=emp, data=body)
    set_etag(response, emp.version)
    return EmployeePublic.model_validate(emp)


@router.delete(
    "/employees/{employee_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete an employee that nothing refers to",
    responses=problems(403, 404, 409, 412, 428),
)
def delete_employee(
    emp: ManagedEmployee, session: SessionDep, caller: CallerDep, if_match: IfMatchHeader = None
) -> None:
    check_version(if_match, emp.version, what=f"employee {emp.id}")
    service.delete_employee(session, caller=caller, emp=emp)
