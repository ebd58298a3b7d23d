"""Browser fixtures: the app served on loopback against a private copy of the demo database, and Chromium.

Outside CI a missing Chromium skips these tests; in CI (CI=true) it fails them, so a broken install is never
mistaken for a pass.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from components import browser

# Assertions wait up to 20 s for the page to get there (Playwright's default is 5 s): the suite runs on every core
# (make test), and a rerun on a busy machine can take longer than 5 s without anything being wrong.
expect.set_options(timeout=20_000)


class AppURL(str):
    """The app's base URL, which also knows the database the server uses."""

    def __new__(cls, url: str, db_path):
        self = super().__new__(cls, url)
        self.db_path = db_path
        return self


SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
README_SCREENSHOT = Path(__file__).resolve().parent / "readme-overview.png"


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def chrome():
    if browser.chromium_path() is None:
        message = "Chromium is not installed (apt-get install -y chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with browser.chromium() as chromium:
        yield chromium


@pytest.fixture(scope="session")
def app_url(demo_template, tmp_path_factory):
    path = tmp_path_factory.mktemp("e2e") / "demo.db"
    shutil.copy(demo_template, path)
    with browser.app_server(path) as url:
        yield AppURL(url, path)


@pytest.fixture
def page(chrome):
    context = chrome.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


@pytest.fixture
def shoot(page):
    """Save a full-page screenshot under tests/e2e/screenshots/ (git-ignored); look at them."""
    SCREENSHOTS.mkdir(exist_ok=True)

    def take(name: str) -> Path:
        browser.wait_rendered(page)
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def fill_sign_in(page, username: str, password: str):
    """Type a name and password into the sidebar's sign-in form and submit it; return the sidebar."""
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_role("textbox", name="User name").fill(username)
    sidebar.get_by_role("textbox", name="Password").fill(password)
    sidebar.get_by_role("button", name="Sign in").click()
    return sidebar
