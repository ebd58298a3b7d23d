"""A policy-maker reads a pilot's network on a laptop and on a phone (#19): the most central actors are named, the
legends are whole and in their colours, the mouse wheel over the drawing scrolls the page, and an actor found by
typing its name is ringed and zoomed to with the buttons."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from components import browser
from lessons.cli import EXIT_OK, main
from tests.e2e.test_accessibility import blocking_violations
from tests.realdata import REALDATA, needs_realdata

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


@needs_realdata
def test_a_real_network_coloured_by_its_own_attribute_on_a_phone(page, app_url, shoot, tmp_path):
    mapping = tmp_path / "sector.json"
    mapping.write_text(json.dumps({"defaults": {"Stakeholders": {"sector": "civil_society"}}}), encoding="utf-8")
    gexf = REALDATA / "gephi-gexf-samples" / "lesmis_gephi09_gexf13.gexf"
    args = ["import", str(gexf), "--db", str(app_url.db_path), "--pilot", "netview-lesmis", "--country", "FR"]
    assert main([*args, "--mapping", str(mapping), "--quiet"]) == EXIT_OK
    width, height = SIZES["phone"]
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"{app_url}/networks?pilot=netview-lesmis&size=betweenness")
    browser.wait_rendered(page)
    chart = drawing(page)
    expect(chart.locator("svg text", has_text="Valjean").last).to_be_visible()  # the novel's go-between
    colour = page.get_by_role("combobox", name="Colour actors by")
    colour.click()
    colour.fill("Modularity")
    page.get_by_role("option", name="Modularity Class (from the file)").click()
    browser.wait_rendered(page)
    chart = drawing(page)
    expect(chart.locator("svg text", has_text="Modularity Class (from the file)")).to_be_visible()
    legends = chart.locator("g.role-legend")
    assert legends.count() == 3  # the file's classes, the sectors, the sizes: one under another, all whole
    boxes = sorted((legends.nth(i).bounding_box() for i in range(3)), key=lambda box: box["y"])
    assert all(inside(box, width) for box in boxes), boxes
    assert boxes[0]["y"] + boxes[0]["height"] <= boxes[1]["y"] and boxes[1]["y"] + boxes[1]["height"] <= boxes[2]["y"]
    chart.scroll_into_view_if_needed()
    shoot("network-view-real-file-phone")
