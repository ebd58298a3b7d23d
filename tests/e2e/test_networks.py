"""A partner explores a pilot's stakeholder network in a real browser: clicks an actor, sees its neighbourhood."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from components import browser


def hover_an_actor(page, chart) -> str:
    """Move the pointer over the diagram until Vega's tooltip shows an actor; return the tooltip's text."""
    chart.scroll_into_view_if_needed()  # below the fold since the page explains its measures and offers zoom
    box = chart.bounding_box()
    tooltip = page.locator("#vg-tooltip-element")
    for y in range(int(box["y"] + 40), int(box["y"] + box["height"] - 80), 9):
        for x in range(int(box["x"] + 20), int(box["x"] + box["width"] - 20), 9):
            page.mouse.move(x, y)
            if tooltip.is_visible() and "Actor" in tooltip.inner_text():
                return tooltip.inner_text()
    raise AssertionError("no actor found under the pointer")


def test_click_an_actor_and_see_its_neighbourhood(page, app_url, shoot):
    page.goto(f"{app_url}/networks?pilot=gdansk-senior-housing")
    browser.wait_rendered(page)
    expect(page.get_by_role("heading", name="Stakeholder networks", exact=True)).to_be_visible()
    expect(page.get_by_text("Brokers", exact=False).first).to_be_visible()
    chart = page.get_by_test_id("stVegaLiteChart").first
    expect(chart).to_be_visible()
    shoot("20-network")

    text = hover_an_actor(page, chart)
    name = re.search(r"Actor\s*(.+?)\s*Sector", text, re.S).group(1).strip()
    page.mouse.down()
    page.mouse.up()
    page.wait_for_url("**actor=**")
    browser.wait_rendered(page)
    expect(page.get_by_role("heading", name=name, exact=True)).to_be_visible()
    expect(page.get_by_test_id("stMetric").filter(has_text="In the focus")).to_be_visible()
    expect(page.get_by_text(f"Lessons that concern {name}")).to_be_visible()
    shoot("21-network-actor")

    page.get_by_role("slider", name="Steps from the actor").focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_url("**steps=2**")
    browser.wait_rendered(page)
    shoot("22-network-two-steps")


def test_change_and_across_pilots(page, app_url, shoot):
    page.goto(f"{app_url}/networks?pilot=gdansk-senior-housing&view=Change+over+time")
    browser.wait_rendered(page)
    expect(page.get_by_text(re.compile(r"ties were added"))).to_be_visible()
    expect(page.get_by_test_id("stVegaLiteChart")).to_have_count(2)
    shoot("23-network-change")
    page.get_by_text("Across pilots", exact=True).click()
    page.wait_for_url("**view=Across**")
    browser.wait_rendered(page)
    expect(page.get_by_role("heading", name="Organisations active in several pilots")).to_be_visible()
    shoot("24-network-across")
