"""Shared fixtures: an in-memory store, a demo database built once per session, and AppTests with clean caches.

Passwords are hashed with argon2's cheapest parameters here (``LESSONS_ARGON2_TEST=1``, read by lessons.accounts when
it is imported, so it is set before any import of the project; the servers and CLI runs the tests start inherit it).
One test, tests/test_accounts.py::test_production_hashes_use_the_recommended_parameters, checks the production cost.
The lesson similarity is computed in the caller's thread (``LESSONS_ANALYSE_SYNC=1``), not in the background.
"""

from __future__ import annotations

import os

os.environ["LESSONS_ARGON2_TEST"] = "1"
# The app computes the lesson similarity in a background thread after a change; tests compute it at once so that a
# page shows the fresh result (tests/test_similarity_refresh.py checks the background path and that pages never wait).
os.environ["LESSONS_ANALYSE_SYNC"] = "1"
# The Exports page's files are prepared in the background after a change (lessons.prepared); tests do not, so a write
# does not draw every brief (tests/test_prepared.py checks preparing and serving, with LESSONS_PREPARE=sync).
os.environ["LESSONS_PREPARE"] = "off"

import shutil  # noqa: E402

import pytest  # noqa: E402
import streamlit as st  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from components.testing import app_test  # noqa: E402
from lessons.demo import load_demo  # noqa: E402
from lessons.store import open_memory_store, open_store  # noqa: E402


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


@pytest.fixture(autouse=True)
def _public_consortium(monkeypatch):
    """Every test starts with the public setting; a test of the private one sets ``LESSONS_REQUIRE_SIGN_IN`` itself."""
    monkeypatch.delenv("LESSONS_REQUIRE_SIGN_IN", raising=False)


def clear_streamlit_caches() -> None:
    """Empty ``st.cache_data`` and ``st.cache_resource``, which every AppTest in this process shares."""
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def clean_caches():
    """Streamlit's caches, empty before the test (for tests that call cached loaders without an AppTest)."""
    clear_streamlit_caches()


@pytest.fixture
def app_on(monkeypatch):
    """Make an AppTest of ``app.py`` serving the store at a path, with Streamlit's caches emptied first.

    ``app_on(path, params={"pilot": "x"}, timeout=60)`` sets ``LESSONS_DB`` for the rest of the test and returns the
    AppTest, not yet run, with those query parameters; call it again for a second visitor (caches emptied again).
    """

    def make(path, params: dict | None = None, *, timeout: float = 30) -> AppTest:
        monkeypatch.setenv("LESSONS_DB", str(path))
        clear_streamlit_caches()
        at = app_test(default_timeout=timeout)
        for name, value in (params or {}).items():
            at.query_params[name] = value
        return at

    return make


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
