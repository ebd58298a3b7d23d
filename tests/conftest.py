"""Shared fixtures: an in-memory store, a demo database built once per session, and a clean Streamlit cache."""

from __future__ import annotations

import shutil

import pytest

from lessons.demo import load_demo
from lessons.store import open_memory_store, open_store


@pytest.fixture
def db():
    """A migrated, empty in-memory store with the controlled vocabularies."""
    store = open_memory_store()
    yield store
    store.close()


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory):
    """The demo database, built once per test session; copy it before writing (see ``demo_db_path``)."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    store = open_store(path)
    load_demo(store)
    store.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    return path


@pytest.fixture
def demo_db_path(demo_template, tmp_path):
    """A private copy of the demo database for one test."""
    path = tmp_path / "demo.db"
    shutil.copy(demo_template, path)
    return path


@pytest.fixture
def demo_db(demo_db_path):
    """An open connection to a private copy of the demo database."""
    store = open_store(demo_db_path)
    yield store
    store.close()


def pytest_terminal_summary(terminalreporter):
    """Say in one line how many tests skipped for want of the shared real data, so a green run does not hide it."""
    from tests.realdata import REALDATA

    marks = ("realdata", "real-data", "real Pol.is", "NASA LLIS")
    skipped = [
        r for r in terminalreporter.stats.get("skipped", []) if any(m in str(getattr(r, "longrepr", "")) for m in marks)
    ]
    if skipped:
        terminalreporter.write_line(
            f"{len(skipped)} test(s) skipped because the shared real data is not beside this checkout ({REALDATA}): "
            "they check the importers and analyses on the real files as they ship.",
            yellow=True,
        )
