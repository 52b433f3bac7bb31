"""Load-or-404 dependencies: the object is loaded once and the caller's scope checked once."""

from typing import Annotated

from fastapi import Depends, Path

from app.auth.deps import CallerDep
from app.auth.scope import Action
from app.core.db import SessionDep
from app.core.schemas import MAX_ID
from app.org import service
from app.org.models import Employee, OrgUnit

UnitId = Annotated[int, Path(ge=1, le=MAX_ID, description="org unit id")]
EmployeeId = Annotated[int, Path(ge=1, le=MAX_ID, description="employee id")]


def readable_unit(unit_id: UnitId, session: SessionDep, caller: CallerDep) -> OrgUnit:
    return service.get_unit(session, caller, unit_id, Action.read)


def managed_unit(unit_id: UnitId, session: SessionDep, caller: CallerDep) -> OrgUnit:
    return service.get_unit(session, caller, unit_id, Action.manage, for_update=True)


def readable_employee(employee_id: EmployeeId, session: SessionDep, caller: CallerDep) -> Employee:
    return service.get_employee(session, caller, employee_id, Action.read)


def managed_employee(employee_id: EmployeeId, session: SessionDep, caller: CallerDep) -> Employee:
    return service.get_employee(session, caller, employee_id, Action.manage, for_update=True)


ReadableUnit = Annotated[OrgUnit, Depends(readable_unit)]
ManagedUnit = Annotated[OrgUnit, Depends(managed_unit)]
ReadableEmployee = Annotated[Employee, Depends(readable_employee)]
ManagedEmployee = Annotated[Employee, Depends(managed_employee)]
