"""Issue #21's tour: every page of the menu read in Greek, and the main ones in Latvian and Finnish, on a phone and
a desktop — the page says its language, the sidebar's picker names it, nothing runs off a phone's screen — and the
picker's choice remembered by the browser for the next visit."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from components import browser
from tests.e2e.conftest import app_pages
from tests.e2e.test_methods import DESKTOP, PHONE, shot

#: Views inside pages that a link opens (demo data).
DEEP = ("lessons?lesson=1", "pilots?pilot=gdansk-senior-housing")
#: The pages read in every language: Overview, Lessons, Vote, a pilot.
MAIN = ("", "lessons", "vote", "pilots?pilot=gdansk-senior-housing")
NAMES = {"el": "Ελληνικά", "lv": "Latviešu", "fi": "Suomi"}
SIZES = {"1366": DESKTOP, "390": PHONE}

#: What runs past the window's right edge, outside the sidebar and outside boxes that scroll on their own (tables).
OVERFLOW = """() => {
    const width = window.innerWidth;
    const scrollers = [document.scrollingElement,
                       ...document.querySelectorAll('[data-testid="stMain"], [data-testid="stAppViewContainer"]')];
    const wide = scrollers.filter(e => e && e.scrollWidth > e.clientWidth + 1)
                          .map(e => `${e.dataset?.testid || e.tagName}: ${e.scrollWidth} > ${e.clientWidth}`);
    const clipped = e => {
        for (let p = e.parentElement; p; p = p.parentElement) {
            if (p.closest('[data-testid="stSidebar"]')) return true;
            const x = getComputedStyle(p).overflowX;
            if (p !== document.body && p !== document.documentElement && x !== 'visible'
                && p.dataset?.testid !== 'stMain' && p.dataset?.testid !== 'stAppViewContainer') return true;
        }
        return false;
    };
    const out = [...document.querySelectorAll('[data-testid="stMain"] *')]
        .filter(e => e.getBoundingClientRect().right > width + 1 && e.getBoundingClientRect().width > 0 && !clipped(e))
        .slice(0, 5).map(e => `${e.tagName}.${e.className}: ${(e.textContent || '').trim().slice(0, 60)}`);
    return wide.concat(out);
}"""


def _stops() -> list[tuple[str, str, str]]:
    """Every page in Greek on a phone (the narrowest, where long words break first), the main ones in Latvian and
    Finnish too, and a few on a desktop."""
    stops = [("el", address, "390") for address in [*app_pages(), *DEEP]]
    stops += [(lang, address, "390") for lang in ("lv", "fi") for address in MAIN]
    return stops + [(lang, address, "1366") for lang in ("el", "fi") for address in MAIN[:2]]


def _name(address: str) -> str:
    return (address or "overview").replace("?", "-").replace("=", "-")


@pytest.mark.parametrize(
    ("lang", "address", "size"), _stops(), ids=[f"{lang}-{_name(a)}-{z}" for lang, a, z in _stops()]
)
def test_a_page_reads_in_the_language(chrome, app_url, lang, address, size):
    context = chrome.new_context(viewport=SIZES[size])
    page = context.new_page()
    page.set_default_timeout(30_000)
    joiner = "&" if "?" in address else "?"
    page.goto(f"{app_url}/{address}{joiner}lang={lang}")
    browser.wait_rendered(page)
    expect(page.locator("html")).to_have_attribute("lang", lang)
    if size == "390":
        assert page.evaluate(OVERFLOW) == [], f"{address} in {lang} runs off a phone's screen"
    # In the sidebar (the vote card, which has none, shows it on the page); read even where a phone folds it away.
    picker = page.get_by_test_id("stSelectbox").filter(has_text="(Language)").locator("input").first
    expect(picker).to_have_value(NAMES[lang])
    shot(page, f"70-tour-{lang}-{_name(address)}-{size}")
    context.close()


def test_the_picked_language_is_remembered_by_the_browser(chrome, app_url):
    context = chrome.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(f"{app_url}/lessons?lang=en")
    browser.wait_rendered(page)
    page.get_by_test_id("stSidebar").get_by_role("combobox", name="Language").click()
    page.keyboard.type("Suomi")
    page.keyboard.press("Enter")
    browser.wait_rendered(page)
    expect(page.get_by_role("heading", name="Opit", exact=True)).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "fi")
    assert any(c["name"] == "lessons_lang" and c["value"] == "fi" for c in context.cookies())

    fresh = context.new_page()
    fresh.goto(f"{app_url}/pilots")
    browser.wait_rendered(fresh)
    expect(fresh.locator("html")).to_have_attribute("lang", "fi")
    expect(fresh.get_by_role("heading", name="Pilotit", exact=True)).to_be_visible()
    shot(fresh, "71-tour-remembered-fi-1366")
    context.close()
