"""A policy-maker's journey across pilots: what recurs, a heatmap cell's lessons, and the lesson itself."""

from __future__ import annotations

import csv
import re
from contextlib import closing

from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from components import browser
from lessons.store import connect
from lessons.visibility import PUBLIC, scope


def hover_first_cell(page, chart) -> str:
    """Move the mouse over the heatmap until Vega's tooltip shows a cell; return the tooltip's text.

    The chart draws on a canvas, so there are no cell elements to find: the pointer scans the plot instead.
    """
    box = chart.bounding_box()
    tooltip = page.locator("#vg-tooltip-element")
    for y in range(int(box["y"] + 30), int(box["y"] + 140), 12):
        for x in range(int(box["x"] + box["width"] * 0.25), int(box["x"] + box["width"] * 0.8), 20):
            page.mouse.move(x, y)
            page.wait_for_timeout(30)
            if tooltip.is_visible() and "Lessons" in tooltip.inner_text():
                return tooltip.inner_text()
    raise AssertionError("no heatmap cell found under the pointer")


def test_what_recurs_then_a_heatmap_cell_then_a_lesson(page, app_url, shoot):
    page.goto(f"{app_url}/recurs")
    browser.wait_rendered(page)
    expect(page.get_by_role("heading", name="What recurs", exact=True)).to_be_visible()
    expect(page.get_by_test_id("stMetric").filter(has_text="Lesson groups in 3+ pilots")).to_be_visible()
    expect(page.get_by_test_id("stExpander").first).to_be_visible()
    shoot("10-what-recurs")

    page.get_by_text("Contradicting", exact=True).click()
    page.wait_for_url("**view=Contradicting**")
    browser.wait_rendered(page)
    expect(page.get_by_role("heading", name="Themes one pilot calls an enabler and another a barrier")).to_be_visible()
    page.get_by_role("combobox", name="Read the lessons of a contested theme").click()
    page.keyboard.type("Digital")  # the chooser filters as one types; Enter picks the match
    expect(page.get_by_role("option", name="Digital tools and data")).to_be_visible()
    page.keyboard.press("Enter")
    page.wait_for_url("**contested=digital**")
    browser.wait_rendered(page)
    expect(page.get_by_text("As an enabler")).to_be_visible()
    expect(page.get_by_text("As a barrier")).to_be_visible()
    shoot("11-contradicting")
    page.get_by_role("link", name="Open both sides on the Lessons page").click()
    page.wait_for_url("**/lessons?**")
    browser.wait_rendered(page)
    assert "theme=digital" in page.url and "kind=enabler" in page.url and "kind=barrier" in page.url
    with closing(connect(app_url.db_path, readonly=True)) as db, scope(db, PUBLIC):  # what a visitor sees
        both = db.execute(
            """SELECT count(DISTINCT l.id) FROM lessons l JOIN lesson_themes lt ON lt.lesson_id = l.id
               JOIN themes t ON t.id = lt.theme_id WHERE t.code = 'digital' AND l.kind IN ('enabler', 'barrier')"""
        ).fetchone()[0]
    expect(page.get_by_text(f"{both} lessons match")).to_be_visible()  # the enablers and barriers, as listed

    page.goto(f"{app_url}/recurs")
    browser.wait_rendered(page)
    page.get_by_text("Pilot × theme", exact=True).click()
    page.wait_for_url("**view=Pilot**")
    browser.wait_rendered(page)
    chart = page.get_by_test_id("stVegaLiteChart").first
    expect(chart).to_be_visible()
    text = hover_first_cell(page, chart)
    lessons = int(re.search(r"Lessons\s*(\d+)", text).group(1))
    page.mouse.down()
    page.mouse.up()
    page.wait_for_url("**theme=**")
    browser.wait_rendered(page)
    heading = page.get_by_role("heading", name=re.compile(rf": {lessons} lessons$"))
    expect(heading).to_be_visible()
    pilot = re.search(r"Pilot\s*(.+?)\s*Theme", text, re.S).group(1).strip()
    assert pilot in heading.inner_text()
    links = page.get_by_test_id("stPageLink").filter(has=page.locator("a[href*='lesson=']"))
    expect(links).to_have_count(lessons)
    shoot("12-heatmap-cell")

    title = links.first.inner_text().strip().splitlines()[-1]  # the first line is the icon's name
    links.first.get_by_role("link").click()
    page.wait_for_url("**/lessons?lesson=**")
    browser.wait_rendered(page)
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    shoot("13-lesson-from-cell")


def test_compare_pilots_from_a_link(page, app_url, shoot):
    page.goto(f"{app_url}/recurs?view=Compare+pilots&compare=athens-innovation-network&compare=riga-service-desk")
    browser.wait_rendered(page)
    expect(page.get_by_role("heading", name="Themes only one of them has")).to_be_visible()
    expect(page.get_by_test_id("stVegaLiteChart")).to_have_count(1)
    shoot("14-compare")


def test_search_filter_open_a_lesson_and_download_the_csv(page, app_url, shoot):
    page.goto(f"{app_url}/lessons")
    browser.wait_rendered(page)
    search = page.get_by_role("textbox", name="Search the lessons")
    search.fill("online")
    search.press("Enter")
    page.wait_for_url("**q=online**")
    browser.wait_rendered(page)

    page.get_by_test_id("stExpander").filter(has_text="Filters").locator("summary").click()  # above the results
    kind = page.get_by_test_id("stMain").get_by_role("combobox", name="Kind")
    for attempt in range(3):  # a choice made while the page was still settling can be dropped: choose again
        kind.click()
        page.keyboard.type("Barrier")
        option = page.get_by_role("option", name=re.compile(r"^Barrier"))
        expect(option).to_be_visible()  # the list has opened and filtered
        option.click()
        try:
            page.wait_for_url("**kind=barrier**", timeout=10_000)
            break
        except PlaywrightTimeout:
            assert attempt < 2, "choosing Kind: Barrier never reached the page"
            page.keyboard.press("Escape")
            browser.wait_rendered(page)
    page.keyboard.press("Escape")
    browser.wait_rendered(page)
    count_text = page.get_by_text(re.compile(r"^\d+ lessons? match")).first.inner_text()
    shown = int(re.match(r"(\d+)", count_text).group(1))
    assert shown > 0
    page.wait_for_timeout(500)  # let the closed drop-down fade out before the screenshot
    shoot("15-search-and-filter")

    with page.expect_download() as download:
        page.get_by_role("button", name="CSV").click()
    path = download.value.path()
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == shown
    assert {row["Kind"] for row in rows} == {"Barrier"}
    assert all("online" in " ".join(row.values()).lower() for row in rows)

    first = page.locator('[data-testid="stButton"] button[kind="tertiary"]').first
    title = first.inner_text().strip()
    first.click()
    page.wait_for_url("**lesson=**")
    browser.wait_rendered(page)
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    expect(page.get_by_text("Similar lessons in other pilots")).to_be_visible()
    expect(page.get_by_text("Validation in workshops")).to_be_visible()
    shoot("16-lesson-with-similar")
