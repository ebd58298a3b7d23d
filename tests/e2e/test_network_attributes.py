"""A Gephi user's network in a real browser: drawn in Gephi's own colours and sizes, kept from the file (#17)."""

from __future__ import annotations

import json

from playwright.sync_api import expect

from components import browser
from lessons.cli import EXIT_OK, main
from tests.realdata import REALDATA, needs_realdata

GEPHI = REALDATA / "gephi-gexf-samples" / "lesmis_gephi09_gexf13.gexf"


@needs_realdata
def test_a_gephi_network_drawn_in_its_own_colours(page, shoot, tmp_path):
    db = tmp_path / "gephi.db"
    mapping = tmp_path / "sector.json"
    mapping.write_text(json.dumps({"defaults": {"Stakeholders": {"sector": "citizens"}}}), encoding="utf-8")
    assert main(["init", "--db", str(db)]) == EXIT_OK
    args = ["import", str(GEPHI), "--db", str(db), "--pilot", "lesmis", "--country", "FR", "--mapping", str(mapping)]
    assert main([*args, "--quiet"]) == EXIT_OK
    with browser.app_server(db) as url:
        page.goto(f"{url}/networks?pilot=lesmis")
        browser.wait_rendered(page)
        expect(page.get_by_test_id("stVegaLiteChart").first).to_be_visible()
        colour = page.get_by_test_id("stSelectbox").filter(has_text="Colour actors by")
        colour.click()
        page.get_by_role("option", name="viz:color (from the file)").click()
        page.wait_for_url("**colour=kept%3Aviz%3Acolor**")
        browser.wait_rendered(page)
        size = page.get_by_test_id("stSelectbox").filter(has_text="Size actors by")
        size.click()
        page.get_by_role("option", name="viz:size (from the file)").click()
        page.wait_for_url("**size=kept%3Aviz%3Asize**")
        browser.wait_rendered(page)
        expect(page.get_by_test_id("stVegaLiteChart").first).to_be_visible()
        page.get_by_text("Place the actors as the file does").click()  # Gephi's own layout
        browser.wait_rendered(page)
        page.get_by_text("Every actor and its measures (sortable)").click()
        browser.wait_rendered(page)
        shoot("25-network-gephi-colours")
        page.reload()  # the link keeps the choice
        browser.wait_rendered(page)
        expect(page.get_by_role("combobox", name="Colour actors by")).to_have_value("viz:color (from the file)")
        expect(page.get_by_role("combobox", name="Size actors by")).to_have_value("viz:size (from the file)")
