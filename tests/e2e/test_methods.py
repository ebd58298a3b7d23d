"""Issue #20's journey: a visitor opens Methods and tools, filters the catalogue, opens an entry and sees the lessons
that used it with how they went, then follows a lesson's link to the lesson itself — on a desktop and on a phone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from components import browser
from lessons import catalogue
from lessons.permissions import cli_actor
from lessons.store import connect
from tests.e2e.conftest import SCREENSHOTS
from tests.e2e.test_accessibility import blocking_violations

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
ENTRY = "deliberative-poll"  # distinct from other browser tests sharing the store


@pytest.fixture
def linked(app_url):
    """Two of the demo's lessons linked to the deliberative poll; their titles."""
    with connect(app_url.db_path) as db:
        rows = db.execute("SELECT id, title FROM lessons ORDER BY id LIMIT 2").fetchall()
        catalogue.link_lessons(db, cli_actor(), [r[0] for r in rows], ENTRY)
    return [r[1] for r in rows]


def shot(page, name: str) -> None:
    """Save the whole page (Streamlit scrolls inside its main block: the window grows to its height first)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    browser.wait_rendered(page)
    viewport = page.viewport_size
    height = page.evaluate(
        """() => Math.max(...[...document.querySelectorAll('[data-testid="stMain"], [data-testid="stAppViewContainer"]')]
                      .map(e => e.scrollHeight), window.innerHeight)"""
    )
    page.set_viewport_size({"width": viewport["width"], "height": min(int(height), 6000)})
    browser.wait_rendered(page)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    page.set_viewport_size(viewport)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1366", "390"])
def test_a_visitor_filters_opens_an_entry_and_follows_a_lesson_link(chrome, app_url, linked, viewport):
    context = chrome.new_context(viewport=viewport)
    page = context.new_page()
    page.set_default_timeout(30_000)
    width = viewport["width"]
    page.goto(f"{app_url}/methods")
    browser.wait_rendered(page)
    expect(page.get_by_role("heading", name="Methods and tools")).to_be_visible()
    expect(page.get_by_text(re.compile(r"^\d+ of \d+ entries$"))).to_be_visible()

    page.get_by_role("combobox", name="Kind").click()
    page.get_by_role("option", name=re.compile(r"^Participatory method")).click()
    page.keyboard.press("Escape")
    browser.wait_rendered(page)
    expect(page.get_by_text("5 of 12 entries")).to_be_visible()
    expect(page).to_have_url(re.compile(r"[?&]kind=method"))
    shot(page, f"methods-list-{width}")
    problems = blocking_violations(page, f"/methods?kind=method ({width})")

    page.get_by_role("combobox", name="Open an entry").click()
    page.keyboard.type("Deliberative")
    page.keyboard.press("Enter")
    browser.wait_rendered(page)
    expect(page.get_by_role("heading", name="Deliberative poll")).to_be_visible()
    expect(page).to_have_url(re.compile(rf"[?&]entry={ENTRY}"))
    expect(page.get_by_text("Who used it, and how it went")).to_be_visible()
    expect(page.get_by_test_id("stMetric").filter(has_text="Lessons").first).to_contain_text("2")
    expect(page.get_by_role("link", name="These 2 lessons on the Lessons page")).to_be_visible()
    shot(page, f"methods-entry-{width}")
    problems += blocking_violations(page, f"/methods?entry={ENTRY} ({width})")
    assert page.title() == "Deliberative poll · Methods and tools · Cross-Pilot Lessons"
    assert not problems, "axe found serious or critical violations:\n" + "\n".join(problems)

    page.get_by_role("link", name=linked[0]).click()
    browser.wait_rendered(page)
    expect(page.get_by_role("heading", name=linked[0])).to_be_visible()
    expect(page).to_have_url(re.compile(r"/lessons\?lesson=\d+"))
    expect(page.get_by_role("link", name="Deliberative poll")).to_be_visible()  # the lesson names what it used
    shot(page, f"methods-lesson-{width}")
    context.close()
