"""Plain words in a real browser (#19): What recurs names each group by a lesson, its shared words below, on a desktop
and a phone; a facilitator reads the rounds and stakeholder groups in words."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from components import browser
from lessons.store import open_store
from tests.e2e.conftest import fill_sign_in
from tests.test_plain_words import two_rounds


@pytest.mark.parametrize("width", [1366, 390], ids=["desktop", "phone"])
def test_lesson_groups_are_named_by_a_lesson_and_the_table_speaks_plain_words(page, app_url, shoot, width):
    page.set_viewport_size({"width": width, "height": 900 if width > 400 else 844})
    page.goto(f"{app_url}/recurs")
    browser.wait_rendered(page)
    expect(page.get_by_text("How alike: 100% is the same wording")).to_be_visible()
    first = page.get_by_test_id("stExpander").first
    expect(first).to_contain_text("pilots")
    first.locator("summary").click()  # open the first group
    expect(first.get_by_text("Shared words:")).to_be_visible()
    expect(first.get_by_text("Pilots:")).to_be_visible()
    title = first.locator("summary").inner_text()
    words = first.get_by_text("Shared words:").inner_text().removeprefix("Shared words:").strip()
    assert words and words not in title  # named by a lesson's title; the word list is the second line
    page.get_by_text("All these groups as a table").click()
    grid = page.get_by_test_id("stDataFrame").first
    expect(grid).to_contain_text("Group (its most typical lesson)")
    if width > 400:  # a phone's grid draws only the columns in view; the first says what a row is
        expect(grid).to_contain_text("Shared words")
    shoot(f"plain-what-recurs-{width}")


def test_a_facilitator_reads_the_rounds_and_sectors_in_words(page, app_url, shoot):
    with open_store(app_url.db_path) as db:
        two_rounds(db, "PLNRND")
    page.goto(f"{app_url}/workshops?code=PLNRND")
    browser.wait_rendered(page)
    fill_sign_in(page, "facilitator", "demo-facilitator-pass")
    expect(page.get_by_text("Signed in as")).to_be_visible()
    browser.wait_rendered(page)
    page.get_by_role("tab", name="Live results").click()
    browser.wait_rendered(page)
    page.get_by_role("tab", name="Stakeholder groups").click()
    grid = page.get_by_test_id("stDataFrame").filter(has_text="Civil society")
    expect(grid).to_contain_text("No sector given")
    shoot("plain-stakeholder-groups")
    page.get_by_role("tab", name="Rounds").click()
    grid = page.get_by_test_id("stDataFrame").filter(has_text="How split the room is")
    expect(grid).to_contain_text("Change in spread between rounds")
    expect(grid).to_contain_text("Round 2")
    expect(page.get_by_text("A negative change means opinion came closer together")).to_be_visible()
    shoot("plain-rounds")
