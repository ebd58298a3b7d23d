"""axe-core on every page (#19): the menu's pages and a few deep links, at 1366×900 and 390×844, signed out and as
an administrator. No violation of impact "serious" or "critical" from our content; Streamlit's own markup is excused
only by tests/e2e/axe_allowlist.py, and an entry no longer needed is reported. Phone screenshots of every page are
saved under tests/e2e/screenshots/ (a11y-phone-*.png): look at them.

axe-core is loaded from the local install of the PyPI package axe-playwright-python (its bundled axe.min.js is
evaluated in the page: no request to any other host).
"""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe

from components import browser
from tests.e2e.axe_allowlist import ALLOWED, DISABLED_WIDGET
from tests.e2e.conftest import DEEP_PAGES, SCREENSHOTS, app_pages, sign_in_as, toggle_sidebar
from tests.test_palette_contrast import contrast

#: The demo's first lesson, which DEEP_PAGES opens.
LESSON_1 = "Secretary-general's circular gave executives permission to join the network"
SIZES = {"desktop": (1366, 900), "phone": (390, 844)}
BLOCKING = ("critical", "serious")
EXCUSED = """([selector, within, disabled]) => {
  const el = document.querySelector(selector);
  if (!el) return false;
  if (within === disabled) {
    const box = el.closest('[data-testid="stElementContainer"], .stElementContainer');
    return !!(box && box.querySelector(':disabled, [aria-disabled="true"]'));
  }
  return !!el.closest(within);
}"""
#: Allowlist entries that excused at least one node in this run (checked by the last test).
USED: set[str] = set()
RAN: list[str] = []


def blocking_violations(page, where: str) -> list[str]:
    """axe's serious and critical findings on the page as it stands, less the nodes the allowlist excuses."""
    results = Axe().run(page, options={"resultTypes": ["violations"]}).response
    found = []
    for violation in results["violations"]:
        if violation["impact"] not in BLOCKING:
            continue
        for node in violation["nodes"]:
            selector = node["target"][0] if isinstance(node["target"][0], str) else node["target"][0][0]
            excused = [
                entry
                for entry in ALLOWED
                if entry.rule == violation["id"] and page.evaluate(EXCUSED, [selector, entry.within, DISABLED_WIDGET])
            ]
            if excused:
                USED.add(f"{excused[0].rule} @ {excused[0].within}")
                continue
            summary = node.get("failureSummary", "").replace("\n", " ")[:240]
            found.append(f"{where}: {violation['impact']} {violation['id']} {node['html'][:160]} — {summary}")
    return found


def whole_page_screenshot(page, path) -> None:
    """The page from top to bottom: Streamlit scrolls inside its main area, so the window is made as tall as that
    area's content for the picture (same width: the layout does not change), then set back."""
    size = page.viewport_size
    height = page.evaluate("document.querySelector('[data-testid=\"stMain\"]')?.scrollHeight || 0")
    page.set_viewport_size({"width": size["width"], "height": max(size["height"], min(int(height), 16_000))})
    page.wait_for_timeout(400)  # charts redraw for the new height
    page.screenshot(path=str(path))
    page.set_viewport_size(size)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("who", [None, "admin"], ids=["signed-out", "admin"])
def test_axe_finds_no_serious_violation_on_any_page(chrome, app_url, who, size):
    width, height = SIZES[size]
    context = chrome.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(60_000)
    SCREENSHOTS.mkdir(exist_ok=True)
    try:
        if who:
            sign_in_as(page, app_url, who)
        problems = []
        for path in (*app_pages(), *DEEP_PAGES):
            page.goto(f"{app_url}/{path}")
            browser.wait_rendered(page)
            page.wait_for_timeout(500)  # charts draw after the script has run
            problems += blocking_violations(page, f"/{path} ({who or 'signed out'}, {size})")
            title = page.title()  # WCAG 2.4.2: each page its own title
            if path in app_pages():
                assert title == f"{app_pages()[path]} · Cross-Pilot Lessons", f"/{path}: {title}"
            elif path.startswith("lessons?lesson="):
                assert title == f"{LESSON_1} · Lessons · Cross-Pilot Lessons", f"/{path}: {title}"
            if size == "phone" and path == "lessons":  # the filters live in the sidebar, over the page on a phone
                toggle_sidebar(page, open_it=True)
                problems += blocking_violations(page, f"/{path} sidebar open ({who or 'signed out'}, {size})")
                toggle_sidebar(page, open_it=False)
            if size == "phone":
                name = re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "overview"
                whole_page_screenshot(page, SCREENSHOTS / f"a11y-phone-{who or 'public'}-{name}.png")
        RAN.append(f"{who}-{size}")
        assert not problems, "axe found serious or critical violations:\n" + "\n".join(problems)
    finally:
        context.close()


FOCUSED = """() => { const e = document.activeElement, s = getComputedStyle(e);
  return {what: e.outerHTML.slice(0, 80), style: s.outlineStyle, width: parseFloat(s.outlineWidth),
          colour: s.outlineColor}; }"""


def test_the_keyboard_focus_is_drawn_solid_at_3_to_1(page, app_url):
    """WCAG 1.4.11 / 2.4.7: wherever the Tab key lands (skip link, menu, search box, buttons), a 2 px outline in a
    colour at least 3:1 on white (Streamlit's own ring is its primary colour at half opacity, about 2.5:1)."""
    page.goto(f"{app_url}/lessons")
    browser.wait_rendered(page)
    for _ in range(16):
        page.keyboard.press("Tab")
        focus = page.evaluate(FOCUSED)
        red, green, blue = (int(n) for n in re.findall(r"\d+", focus["colour"])[:3])
        colour = f"#{red:02X}{green:02X}{blue:02X}"
        assert focus["style"] == "solid" and focus["width"] >= 2, focus
        assert contrast(colour) >= 3, (focus, colour)


def test_every_allowlist_entry_is_still_needed():
    """Run after the four page sweeps (same file, in order): an entry that excused nothing is stale."""
    if len(RAN) < 4:
        pytest.skip("the page sweeps did not all run")
    stale = [f"{e.rule} @ {e.within}" for e in ALLOWED if f"{e.rule} @ {e.within}" not in USED]
    assert not stale, f"allowlist entries no longer needed (remove them from axe_allowlist.py): {stale}"
