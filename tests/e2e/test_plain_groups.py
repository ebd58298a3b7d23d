"""A policy-maker reads What recurs on a desktop and a phone: each group named by a lesson, its shared words below (#19)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from components import browser


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
