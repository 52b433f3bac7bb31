"""The hand-worked municipality of the metrics tests, and a way to ask for its figures."""

import pytest
from sqlmodel import Session

from tests.builders import auth
from tests.metrics.fixture import Town, build


@pytest.fixture
def town(session: Session) -> Town:
    return build(session)


@pytest.fixture
def q(town: Town) -> dict[str, str]:
    """The quality unit of the municipality (grant on its root)."""
    return auth(town.users["quality"])
