"""Fixtures of the Excel tests: settings changed for one test, and a real database for the
command line."""

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import Engine

from app.core import db as core_db
from app.core.config import get_settings
from app.core.migrate import upgrade
from tests.conftest import fresh_database


@pytest.fixture
def settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., None]]:
    """`settings(max_rows=10)`: APOLOGISMOS_* for this test only; restored afterwards."""

    def change(**values: Any) -> None:
        for key, value in values.items():
            monkeypatch.setenv(f"APOLOGISMOS_{key.upper()}", str(value))
        get_settings.cache_clear()

    yield change
    monkeypatch.undo()
    get_settings.cache_clear()


@pytest.fixture
def cli_db(engine: Engine) -> Iterator[str]:
    """A migrated, empty database of the backend under test that the commands use; afterwards
    the suite's engine and settings are back in place."""
    with fresh_database() as url:
        upgrade(url)
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("APOLOGISMOS_DATABASE_URL", url)
            get_settings.cache_clear()
            core_db.set_engine(None)
            try:
                yield url
            finally:
                core_db.get_engine().dispose()
                core_db.set_engine(engine)
        get_settings.cache_clear()
