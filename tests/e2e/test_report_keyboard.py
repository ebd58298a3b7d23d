"""The public workshop report by keyboard alone, on a phone-sized and a desktop screen: an anonymous visitor moves
through it with Tab, every control shows where the focus is, both downloads start from the keyboard, the chart has its
table, and the headings run h1 then h2s (h3s only under an h2)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from components import browser
from lessons.store import open_store
from lessons.workshops.public_report import publish_report
from tests.e2e.conftest import SCREENSHOTS
from tests.test_public_report import FACILITATOR, build

CODE = "KEYB34"
#: Every control a visitor can reach: a link, a button, a field, a table's grid or anything else in the Tab order.
INTERACTIVE = 'a[href], button, input, select, textarea, canvas[tabindex], [tabindex]:not([tabindex="-1"])'
FOCUSED = """() => {
    const e = document.activeElement;
    if (!e || e === document.body) return null;
    e.dataset.e2eReached = '1';
    // a table is reached whichever of its parts takes the focus (its canvas, or a cell of its accessible layer)
    e.closest('[data-testid="stDataFrame"]')?.querySelectorAll('[tabindex]').forEach(c => c.dataset.e2eReached = '1');
    const r = e.getBoundingClientRect();
    const testid = (e.closest('[data-testid]') || e).getAttribute('data-testid');
    const name = e.tagName === 'MAIN' ? 'the main part' : (e.getAttribute('aria-label') || e.innerText || '');
    return {tag: e.tagName, name: name.trim().split('\\n').pop(),
            testid, x: r.x, y: r.y, width: r.width, height: r.height, inMain: !!e.closest('[data-testid="stMain"]'),
            offscreen: r.right <= 0 || r.left >= innerWidth, inSidebar: !!e.closest('[data-testid="stSidebar"]'),
            inGrid: !!e.closest('[data-testid="stDataFrame"]')};
}"""
TOOLTIP = """() => {
    const id = document.activeElement.closest('[aria-describedby]')?.getAttribute('aria-describedby');
    const tip = id && document.getElementById(id);
    return !!tip && tip.getClientRects().length > 0 && tip.innerText.trim() === document.activeElement.ariaLabel;
}"""
DOWNLOADS = ("Download the report (HTML page)", "Download the report (PDF)")
UNREACHED = f"""() => [...document.querySelectorAll('[data-testid="stMain"] :is({INTERACTIVE})')]
    .filter(e => !e.dataset.e2eReached && !e.disabled && e.getClientRects().length
                 && getComputedStyle(e).visibility !== 'hidden')
    .map(e => e.outerHTML.slice(0, 160))"""


@pytest.fixture(scope="module")
def published(app_url):
    with open_store(app_url.db_path) as db:
        build(db, code=CODE)
        publish_report(db, FACILITATOR, CODE)
    return f"{app_url}/workshop-report?code={CODE}"


def region(page, box: dict) -> bytes:
    """A screenshot of the element's box and 6 px around it (where a focus ring is drawn)."""
    view = page.viewport_size
    x, y = max(0, box["x"] - 6), max(0, box["y"] - 6)
    width = min(box["width"] + 12, view["width"] - x)
    height = min(box["height"] + 12, view["height"] - y, 400)
    return page.screenshot(clip={"x": x, "y": y, "width": max(width, 1), "height": max(height, 1)})


def walk(page, limit: int = 250) -> tuple[list[dict], dict]:
    """Press Tab until the PDF download has had the focus, pressing Enter on each download; return every stop and
    the two downloads.

    At each stop the element's surroundings are photographed focused and again with the focus taken away: the two
    must differ, or the keyboard user cannot see where they are. Tab then goes on from where the focus was (the
    browser keeps its place), so the walk is the one a keyboard user makes.
    """
    stops, files = [], {}
    for _ in range(limit):
        page.keyboard.press("Tab")
        page.wait_for_timeout(80)  # the focus ring and a toolbar fade in
        stop = page.evaluate(FOCUSED)
        for _ in range(5):  # a busy machine may still be scrolling the newly focused element into view
            if stop is None or not stop["offscreen"] or stop["inSidebar"]:
                break
            page.wait_for_timeout(200)
            stop = page.evaluate(FOCUSED)
        if stop is None:
            continue
        if stop["testid"] == "stBaseButton-elementToolbar":
            # A table's or chart's toolbar: Streamlit 1.67 keeps the toolbar's icons at opacity 0 under the keyboard
            # focus (they appear on mouse hover only); what shows where the focus is, is the tooltip naming the button.
            page.wait_for_timeout(250)
            stop["visible"] = page.evaluate(TOOLTIP)
        elif stop["testid"] == "stDataFrameResizable":
            # A table: Streamlit's grid draws a box around its focused cell and keeps drawing it after the focus
            # leaves, so a before/after comparison cannot tell; the focused table is saved for a person to look at.
            SCREENSHOTS.mkdir(exist_ok=True)
            (SCREENSHOTS / f"52-report-table-focus-{len(stops)}.png").write_bytes(region(page, stop))
            stop["visible"] = page.evaluate(
                "() => !!document.activeElement.closest('[data-testid=\"stDataFrame\"]')?.querySelector('canvas')"
            )
        elif stop["width"] and stop["height"] and stop["testid"] != "stMain" and not stop["offscreen"]:
            focused = region(page, stop)
            page.evaluate("() => document.activeElement.blur()")
            page.wait_for_timeout(250)  # and fade out
            stop["visible"] = region(page, stop) != focused
        stops.append(stop)
        if stop["tag"] == "BUTTON" and stop["name"] in DOWNLOADS:  # the focus back where the visitor has it
            page.evaluate("(name) => [...document.querySelectorAll('button')].find(b => b.innerText.includes(name))"
                          ".focus()", stop["name"])  # fmt: skip
            kind = "pdf" if "PDF" in stop["name"] else "html"
            with page.expect_download() as made:
                page.keyboard.press("Enter")
            files[kind] = made.value
            browser.wait_rendered(page)
            if kind == "pdf":
                return stops, files
    raise AssertionError(f"the PDF download was not reached in {limit} Tab presses: {[s['name'] for s in stops]}")


@pytest.mark.parametrize(
    ("size", "viewport", "device"),
    [("desktop", {"width": 1366, "height": 900}, {}),
     ("phone", {"width": 390, "height": 844}, {"is_mobile": True, "has_touch": True})],
)  # fmt: skip
def test_an_anonymous_visitor_reads_the_report_by_keyboard(chrome, published, size, viewport, device):
    context = chrome.new_context(viewport=viewport, accept_downloads=True, **device)
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(published)
    browser.wait_rendered(page)
    expect(page.get_by_role("heading", name=re.compile(r"^Workshop report.{1,3}Trust in Tampere"))).to_be_visible()
    expect(page.get_by_text("Signed in as")).to_have_count(0)
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"50-report-keyboard-{size}.png"), full_page=True)

    # headings: one h1, first; then h2s, with h3s only under an h2; all inside the page's main part
    headings = page.evaluate(
        "() => [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')].filter(h => h.getClientRects().length)"
        ".map(h => [Number(h.tagName[1]), h.innerText.trim(), !!h.closest('[data-testid=\"stMain\"]')])"
    )
    levels = [level for level, _, _ in headings]
    assert levels[0] == 1 and levels.count(1) == 1, headings
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:])), headings  # no level skipped on the way down
    assert levels[1] == 2 and {2, 3} >= set(levels[1:]), headings
    assert all(in_main for _, _, in_main in headings), headings
    assert [text for level, text, _ in headings if level == 2][:2] == [
        "About this workshop",
        "How people voted on each statement",
    ]

    # the chart has its table: a caption naming it and the table with every figure right after the chart
    charts = page.get_by_test_id("stVegaLiteChart")
    expect(charts).to_have_count(1)
    follows = page.evaluate(
        """() => [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')].map(chart => {
            let box = chart.closest('[data-testid="stElementContainer"]');
            const next = [];
            for (let i = 0; i < 2 && box; i++) { box = box.nextElementSibling; if (box) next.push(box); }
            return next.map(b => [!!b.querySelector('[data-testid="stDataFrame"]'), b.innerText.slice(0, 60)]);
        })"""
    )
    for after in follows:
        assert "table below" in after[0][1], follows
        assert after[1][0], follows

    stops, files = walk(page)
    names = [s["name"] for s in stops]
    # the skip link comes first, and leads into the report
    assert stops[0]["testid"] == "stSkipToContent", names[:3]
    main_stops = [s for s in stops if s["inMain"]]
    assert set(DOWNLOADS) <= set(names), "\n".join(names)
    assert any(s["testid"] == "data-grid-canvas" for s in main_stops)  # each table can be read by keyboard
    assert any(s["name"] == "Show data" for s in main_stops)  # and the chart's own table
    unseen = [f"{s['testid']} {s['name']!r}" for s in stops if s.get("visible") is False]
    # a table's cells sit in the grid's own accessible layer (the grid draws the focused cell on its canvas and
    # scrolls to it); anything else off screen would be a stop nobody can see
    assert not [s["name"] for s in stops if s["offscreen"] and not s["inGrid"]], stops
    assert not unseen, f"focus not visible on: {unseen}"
    assert page.evaluate(UNREACHED) == [], "controls in the report that Tab never reached"

    html = files["html"]
    assert html.suggested_filename.endswith(".html")
    text = open(html.path(), encoding="utf-8").read()
    assert "<h1>" in text and "Trust in Tampere" in text
    pdf = files["pdf"]
    assert pdf.suggested_filename.endswith(".pdf")
    assert open(pdf.path(), "rb").read(5) == b"%PDF-"
    page.screenshot(path=str(SCREENSHOTS / f"51-report-keyboard-{size}-pdf-focused.png"))
    context.close()


def test_a_collapsed_sidebar_takes_no_tab_stops(chrome, published):
    """Streamlit 1.67 slides a collapsed sidebar (a phone's default) off screen with its links and sign-in form still
    in the Tab order (17 presses on controls nobody could see); our style sheet hides it while collapsed."""
    context = chrome.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(published)
    browser.wait_rendered(page)
    expect(page.get_by_test_id("stSidebar")).not_to_be_in_viewport()  # collapsed, as on every phone
    hidden = []
    for _ in range(25):
        page.keyboard.press("Tab")
        stop = page.evaluate(FOCUSED)
        if stop and stop["offscreen"]:
            hidden.append(stop["name"])
    context.close()
    assert hidden == []
