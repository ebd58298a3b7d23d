"""A policy-maker reads a pilot's network on a laptop and on a phone (#19): the most central actors are named, the
legends are whole and in their colours, the mouse wheel over the drawing scrolls the page, and an actor found by
typing its name is ringed and zoomed to with the buttons."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from components import browser
from tests.e2e.test_accessibility import blocking_violations

PILOT = "ghent-newcomer-welcome"
SIZES = {"desktop": (1366, 900), "phone": (390, 844)}
#: What scrolls: the window, or Streamlit's main container (whichever the layout uses).
SCROLLED = """() => window.scrollY + [...document.querySelectorAll('[data-testid="stMain"], [data-testid="stAppViewContainer"], section.main')]
                 .reduce((sum, el) => sum + el.scrollTop, 0)"""  # fmt: skip


def drawing(page):
    """The page's main network drawing (the first chart)."""
    chart = page.get_by_test_id("stVegaLiteChart").first
    expect(chart.locator("svg text").first).to_be_attached()
    return chart


def inside(box: dict, width: int) -> bool:
    return box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5


@pytest.mark.parametrize("size", SIZES)
def test_names_legends_and_the_wheel(page, app_url, shoot, size):
    width, height = SIZES[size]
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"{app_url}/networks?pilot={PILOT}")
    browser.wait_rendered(page)
    chart = drawing(page)
    # the most central actor is named in the drawing
    expect(chart.locator("svg text", has_text="IN-Gent integration agency").last).to_be_visible()
    assert "actors and" in (chart.get_attribute("aria-label") or "")  # its accessible name, the description
    # every legend is whole within the window, in its colours
    legends = chart.locator("g.role-legend")
    assert legends.count() >= 2
    for i in range(legends.count()):
        box = legends.nth(i).bounding_box()
        assert box and inside(box, width), (i, box, width)
    chart.scroll_into_view_if_needed()
    shoot(f"network-view-{size}")
    # the wheel over the drawing scrolls the page
    box = chart.bounding_box()
    before = page.evaluate(SCROLLED)
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + min(box["height"], height) / 3)
    page.mouse.wheel(0, 400)
    page.wait_for_function(f"() => ({SCROLLED})() !== {before}")


@pytest.mark.parametrize("size", SIZES)
def test_find_an_actor_and_zoom_to_it(page, app_url, shoot, size):
    width, height = SIZES[size]
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"{app_url}/networks?pilot={PILOT}")
    browser.wait_rendered(page)
    drawing(page)
    finder = page.get_by_role("combobox", name="Find an actor")
    finder.click()
    finder.fill("HOGENT")
    page.get_by_role("option", name="HOGENT", exact=False).first.click()
    browser.wait_rendered(page)
    expect(page.get_by_text("Zoom in to look closer around HOGENT", exact=False)).to_be_visible()
    page.get_by_role("button", name="Zoom in").click()
    browser.wait_rendered(page)
    expect(page.get_by_text("Zoomed ×2, centred on HOGENT", exact=False)).to_be_visible()
    chart = drawing(page)
    found = chart.locator("svg text", has_text="HOGENT").last
    expect(found).to_be_visible()
    assert inside(found.bounding_box(), width)
    chart.scroll_into_view_if_needed()
    shoot(f"network-view-found-zoomed-{size}")
    assert not blocking_violations(page, f"/networks found and zoomed ({size})")  # axe, as the page sweep
    page.get_by_role("button", name="Show all").click()
    browser.wait_rendered(page)
    expect(page.get_by_text("The whole network.", exact=False)).to_be_visible()
