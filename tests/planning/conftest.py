"""Fixtures of the planning tests: the two-municipality world and an open 2027 cycle in A."""

import pytest
from sqlmodel import Session

from app.planning.models import Cycle
from tests import plan_builders as pb
from tests.builders import World, auth


@pytest.fixture
def w(session: Session) -> World:
    return World(session)


@pytest.fixture
def cycle(session: Session, w: World) -> Cycle:
    """The open 2027 cycle of municipality A, deadlines far in the future."""
    return pb.cycle(session, w.a)


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
def viewer(w: World) -> dict[str, str]:
    return auth(w.viewer)
