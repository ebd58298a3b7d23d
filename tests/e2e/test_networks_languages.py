"""Stakeholder networks and Governance models read in Finnish and Greek in a real browser (#21): headings, figures
with the language's decimal comma, a view chosen by its translated name while the link keeps its English value."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from components import browser


@pytest.mark.parametrize("width", [1366, 390])
def test_networks_in_finnish(page, app_url, shoot, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{app_url}/networks?pilot=gdansk-senior-housing&lang=fi")
    browser.wait_rendered(page)
    expect(page.get_by_role("heading", name="Sidosryhmäverkostot", exact=True)).to_be_visible()
    density = page.get_by_test_id("stMetric").filter(has_text="Tiheys")
    expect(density).to_contain_text(re.compile(r"0,\d+"))  # a decimal comma
    expect(page.get_by_text("Välittäjät", exact=False).first).to_be_visible()
    shoot(f"60-networks-fi-{width}")
    page.get_by_text("Vertaa pilotteja", exact=True).click()
    page.wait_for_url("**view=Compare+pilots**")  # the link keeps the English value: it works in every language
    browser.wait_rendered(page)
    expect(page.get_by_role("heading", name="Kaikkien pilottien verkostomittarit")).to_be_visible()
    shoot(f"61-networks-compare-fi-{width}")


@pytest.mark.parametrize("width", [1366, 390])
def test_models_in_greek(page, app_url, shoot, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{app_url}/models?model=local-champions&lang=el")
    browser.wait_rendered(page)
    expect(page.get_by_role("heading", name="Μοντέλα διακυβέρνησης", exact=True)).to_be_visible()
    expect(page.get_by_test_id("stMetric").filter(has_text="Διδάγματα υπέρ")).to_be_visible()
    expect(page.get_by_text("συμφωνούν", exact=False).first).to_be_visible()
    shoot(f"62-models-el-{width}")
