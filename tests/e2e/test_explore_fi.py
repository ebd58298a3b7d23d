"""The explore pages in Finnish in a real browser (#21, #20): a lesson card names its pilot as a link to the pilot's
page, in the same language, and a filtered What recurs link keeps ``?lang=fi``."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from components import browser

SIZES = {"desktop": (1366, 900), "phone": (390, 844)}


def test_lessons_and_what_recurs_in_finnish(page, app_url, shoot):
    for name, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"{app_url}/lessons?lang=fi")
        browser.wait_rendered(page)
        expect(page.get_by_role("heading", name="Opit", exact=True)).to_be_visible()
        # the count, whatever other tests on this worker's store added: "163 oppia" (digits grouped the Finnish way)
        expect(page.get_by_text(re.compile(r"\d[\d\s\u00a0]* oppia")).first).to_be_visible()
        link = page.locator('a[href*="pilots?pilot="]').first
        expect(link).to_be_visible()
        assert "lang=fi" in (link.get_attribute("href") or "")
        shoot(f"fi-lessons-{name}")

        page.goto(f"{app_url}/recurs?lang=fi")
        browser.wait_rendered(page)
        expect(page.get_by_role("heading", name="Mikä toistuu", exact=True)).to_be_visible()
        page.get_by_text("Ristiriitaiset", exact=True).click()
        page.wait_for_url("**view=Contradicting**")
        browser.wait_rendered(page)
        assert "lang=fi" in page.url
        expect(
            page.get_by_role("heading", name="Teemat, jotka yksi pilotti näkee edistävänä tekijänä ja toinen esteenä")
        ).to_be_visible()
        shoot(f"fi-recurs-contradicting-{name}")

    # the pilot's name on a card opens the pilot's own page, still in Finnish
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{app_url}/lessons?lang=fi")
    browser.wait_rendered(page)
    href = page.locator('a[href*="pilots?pilot="]').first.get_attribute("href")
    page.goto(f"{app_url}/{href}")
    browser.wait_rendered(page)
    assert "/pilots?pilot=" in page.url
    expect(page.get_by_text("Kieli (Language)").first).to_be_attached()  # the link opened it in Finnish
    expect(page.get_by_role("heading", name="Pilotit", exact=True)).to_have_count(0)  # a pilot's page, not the list
    shoot("fi-pilot-from-card")

    page.goto(f"{app_url}/?lang=fi")
    browser.wait_rendered(page)
    expect(page.get_by_role("heading", name="Yleiskuva", exact=True)).to_be_visible()
    shoot("fi-overview-desktop")
