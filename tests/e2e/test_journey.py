"""A visitor opens the Overview, goes to Lessons, narrows the list and reads a lesson, in a real browser."""

from __future__ import annotations

import os
import shutil
from contextlib import closing

from playwright.sync_api import expect

from components import browser
from lessons.store import connect
from lessons.visibility import PUBLIC, scope
from tests.e2e.conftest import README_SCREENSHOT


def test_overview_to_lessons_to_a_lesson(page, app_url, shoot):
    page.goto(app_url)
    browser.wait_rendered(page)
    expect(page.get_by_role("heading", name="Overview", exact=True)).to_be_visible()
    expect(page.get_by_text("Illustrative demo data").first).to_be_visible()
    expect(page.get_by_test_id("stMetric").filter(has_text="Validated lessons")).to_be_visible()
    # both charts drew (Vega renders into a canvas or svg)
    expect(page.locator('[data-testid="stVegaLiteChart"]')).to_have_count(2)
    overview = shoot("01-overview")
    if os.environ.get("UPDATE_SCREENSHOTS"):
        shutil.copy(overview, README_SCREENSHOT)

    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Lessons", exact=True).click()
    browser.wait_rendered(page)
    expect(page.get_by_role("heading", name="Lessons", exact=True)).to_be_visible()
    expect(page.get_by_text(" lessons match").first).to_be_visible()
    shoot("02-lessons")

    page.get_by_role("textbox", name="Search the lessons").fill("champions")
    page.get_by_role("textbox", name="Search the lessons").press("Enter")
    page.wait_for_url("**q=champions**")
    browser.wait_rendered(page)
    expect(page.get_by_text(" lessons match").first).to_be_visible()
    shoot("03-search")

    first_title = page.locator('[data-testid="stButton"] button[kind="tertiary"]').first
    title = first_title.inner_text().strip()
    first_title.click()
    page.wait_for_url("**lesson=**")
    browser.wait_rendered(page)
    expect(page.get_by_text("What was learned.")).to_be_visible()
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    shoot("04-lesson")

    # the link reopens the same lesson in a fresh tab
    other = page.context.new_page()
    other.goto(page.url)
    browser.wait_rendered(other)
    expect(other.get_by_role("heading", name=title)).to_be_visible()
    other.close()


def test_pilot_card_leads_to_its_lessons(page, app_url, shoot):
    page.goto(app_url)
    browser.wait_rendered(page)
    link = page.get_by_role("link", name="Lessons of this pilot").first
    link.click()
    page.wait_for_url("**pilot=**")
    browser.wait_rendered(page)
    expect(page.get_by_role("heading", name="Lessons", exact=True)).to_be_visible()
    shoot("05-pilot-lessons")


def test_a_shared_link_works_for_the_first_visitor_after_a_start(chrome, demo_template, tmp_path):
    """A fresh server's first session arriving by a deep link gets the page, not a "Page not found" dialog."""
    path = tmp_path / "fresh.db"
    shutil.copy(demo_template, path)
    with browser.app_server(path) as url:
        page = chrome.new_page()
        page.goto(f"{url}/lessons?pilot=porto-homelessness-services")
        browser.wait_rendered(page)
        expect(page.get_by_role("heading", name="Lessons", exact=True)).to_be_visible()
        with closing(connect(path, readonly=True)) as db, scope(db, PUBLIC):  # what a visitor sees: no draft
            count = db.execute(
                "SELECT count(*) FROM lessons l JOIN pilots p ON p.id = l.pilot_id WHERE p.slug = ?",
                ["porto-homelessness-services"],
            ).fetchone()[0]
        expect(
            page.get_by_text(f"{count} lessons", exact=True)
        ).to_be_visible()  # the count (the pilot's citation says it too)
        expect(page.get_by_role("dialog")).to_have_count(0)
        page.close()
