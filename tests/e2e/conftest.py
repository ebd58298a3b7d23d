"""Browser fixtures: the app served on loopback against a private copy of the demo database, and Chromium.

Outside CI a missing Chromium skips these tests; in CI (CI=true) it fails them, so a broken install is never
mistaken for a pass.
"""

from __future__ import annotations

import ast
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


def _literal(node: ast.AST):
    """A keyword's constant, or the English text of a message ``_("…")`` (page titles are messages, #21)."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "_" and isinstance(node.args[0], ast.Constant):
        return node.args[0].value
    return None


def app_pages() -> dict[str, str]:
    """The pages app.py registers in its menu, read from its ``st.Page`` calls: address (``""`` for the default page,
    served at /) to title. Hidden pages and the private consortium's sign-in page are left out."""
    tree = ast.parse((browser.PROJECT_DIR / "app.py").read_text(encoding="utf-8"))
    found = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "Page":
            words = {k.arg: _literal(k.value) for k in node.keywords if _literal(k.value) is not None}
            if not isinstance(node.args[0], ast.Constant) or words.get("visibility") == "hidden":
                continue
            found["" if words.get("default") else words["url_path"]] = words["title"]
    return found


#: Views inside pages that a link opens: a lesson, a pilot's network, a comparison (demo data).
DEEP_PAGES = (
    "lessons?lesson=1",
    "networks?pilot=gdansk-senior-housing",
    "recurs?view=Compare+pilots&compare=athens-innovation-network&compare=riga-service-desk",
)

#: Demo accounts (README, "Demo accounts"; lessons/demo.py).
DEMO_PASSWORDS = {
    "admin": "demo-admin-pass",
    "coordinator": "demo-coordinator-pass",
    "facilitator": "demo-facilitator-pass",
    "viewer": "demo-viewer-pass",
}

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


def sign_in_as(page, base_url: str, username: str) -> None:
    """Sign a demo account in (at any window size: on a phone the sidebar is opened for it, and closed again)."""
    page.goto(base_url)
    browser.wait_rendered(page)
    opener = page.get_by_test_id("stExpandSidebarButton")
    opened = opener.count() and opener.is_visible()
    if opened:
        opener.click()
    expect(fill_sign_in(page, username, DEMO_PASSWORDS[username]).get_by_text("Signed in as")).to_be_visible()
    browser.wait_rendered(page)
    if opened:
        toggle_sidebar(page, open_it=False)


def toggle_sidebar(page, *, open_it: bool) -> None:
    """Open or close the sidebar by its own button (a phone shows it over the page)."""
    if open_it:
        page.get_by_test_id("stExpandSidebarButton").click()
        expect(page.get_by_test_id("stSidebarContent")).to_be_visible()
    else:
        page.get_by_test_id("stSidebarCollapseButton").click()
        expect(page.get_by_test_id("stExpandSidebarButton")).to_be_visible()


def fill_sign_in(page, username: str, password: str):
    """Type a name and password into the sidebar's sign-in form and submit it; return the sidebar."""
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_role("textbox", name="User name").fill(username)
    sidebar.get_by_role("textbox", name="Password").fill(password)
    sidebar.get_by_role("button", name="Sign in").click()
    return sidebar
