"""Fixtures of the reporting tests: the two-municipality world, an open 2025 cycle in A and
the approved 2025 plan of department T11 (its report still a draft)."""

import pytest
from sqlmodel import Session

from app.planning.models import Cycle, Plan
from tests import plan_builders as pb
from tests.builders import World, auth
from tests.reporting.support import YEAR, approved_plan


@pytest.fixture
def w(session: Session) -> World:
    return World(session)


@pytest.fixture
def cycle(session: Session, w: World) -> Cycle:
    """The open cycle of municipality A for YEAR, deadlines far in the future."""
    return pb.cycle(session, w.a, YEAR)


@pytest.fixture
def plan(session: Session, w: World, cycle: Cycle) -> Plan:
    return approved_plan(session, w.t11)


@pytest.fixture
def ed(w: World) -> dict[str, str]:
    return auth(w.editor)


@pytest.fixture
def q(w: World) -> dict[str, str]:
    return auth(w.quality)


@pytest.fixture
def adm(w: World) -> dict[str, str]:
    return auth(w.admin)


@pytest.fixture
def root(w: World) -> dict[str, str]:
    return auth(w.superuser)
