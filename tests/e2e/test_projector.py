"""The projector view in real browsers: the join code and its QR code large on the room's screen, counts that refresh
by themselves, and Streamlit's running icon never showing while they do (watched for more than a refresh cycle)."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from components import browser
from lessons import workshops
from lessons.permissions import cli_actor
from lessons.store import open_store
from tests.e2e.conftest import SCREENSHOTS, fill_sign_in

#: Watch the status widget for this long: two refreshes of the projector's counts (every 10 s), so a busy machine
#: that delays one still shows a refresh.
WATCH_MS = 25_000
#: In the page: every 100 ms and on every change to the page, whether Streamlit's status widget (its running icon)
#: is on screen; and each run the browser saw (the app's script state going to "running" and back).
WATCH = """(ms) => new Promise(done => {
    const app = document.querySelector('[data-testid="stApp"]');
    const seen = [];
    let runs = 0;
    const look = (why) => {
        const widget = document.querySelector('[data-testid="stStatusWidget"]');
        if (widget && widget.getClientRects().length) {
            const r = widget.getBoundingClientRect();
            seen.push({why, at: Math.round(performance.now() - start), text: widget.innerText.trim(),
                       width: r.width, height: r.height, opacity: getComputedStyle(widget).opacity});
        }
    };
    const start = performance.now();
    const observer = new MutationObserver(changes => {
        for (const change of changes) {
            if (change.type === 'attributes' && change.target === app && app.dataset.testScriptState === 'running') {
                runs += 1;
            }
        }
        look('mutation');
    });
    observer.observe(document.body, {subtree: true, childList: true, attributes: true,
                                     attributeFilter: ['data-test-script-state', 'class', 'style']});
    const poll = setInterval(() => look('poll'), 100);
    setTimeout(() => { observer.disconnect(); clearInterval(poll); done({seen, runs}); }, ms);
})"""


def open_workshop(path) -> str:
    with open_store(path) as db:
        code = workshops.create_workshop(db, cli_actor(), "Projector room workshop", purpose="Say what pilots taught.")
        workshops.add_statements(db, cli_actor(), code, texts=["Pilots should share their budgets."])
        workshops.open_workshop(db, cli_actor(), code)
    return code


def projector_page(chrome, url: str, code: str, viewport: dict, **device):
    """The facilitator signs in on the projector view's own address (as on the room's computer)."""
    context = chrome.new_context(viewport=viewport, **device)
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(f"{url}/workshops?code={code}&view=projector")
    browser.wait_rendered(page)
    if page.get_by_test_id("stExpandSidebarButton").is_visible():  # a collapsed sidebar, where one signs in
        page.get_by_test_id("stExpandSidebarButton").click()
    fill_sign_in(page, "facilitator", "demo-facilitator-pass")
    expect(page.get_by_role("heading", name=f"Code: {code}")).to_be_visible()
    browser.wait_rendered(page)
    return context, page


def test_the_projector_shows_the_code_and_qr_large_and_refreshes_without_the_running_icon(chrome, app_url):
    code = open_workshop(app_url.db_path)
    context, page = projector_page(chrome, app_url, code, {"width": 1366, "height": 900})
    heading = page.get_by_role("heading", name=f"Code: {code}")
    expect(page.get_by_role("combobox", name="Workshop")).to_have_count(0)  # the room sees nothing else
    size = float(heading.evaluate("h => getComputedStyle(h).fontSize").removesuffix("px"))
    assert size >= 40, f"the code is {size}px high"  # readable from the back of a room
    expect(heading).to_be_in_viewport()
    qr = page.get_by_role("img", name=re.compile(rf"^QR code of the join link http.*vote.code={code}$"))
    expect(qr).to_be_in_viewport()  # the whole QR code on a 1366 × 900 screen, without scrolling
    box = qr.bounding_box()
    assert box["width"] >= 300 and abs(box["width"] - box["height"]) < 2, box
    expect(page.get_by_test_id("stMetric").filter(has_text="Joined")).to_contain_text("0")
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "70-projector-desktop.png"))

    # someone joins; over the next 25 s the counts refresh by themselves, and the running icon never shows
    with open_store(app_url.db_path) as db:
        workshops.join(db, code, stakeholder_group="citizens")
    watched = page.evaluate(WATCH, WATCH_MS)
    expect(page.get_by_test_id("stMetric").filter(has_text="Joined")).to_contain_text("1", timeout=1_000)
    assert watched["runs"] >= 1, "no refresh of the counts was seen while watching"
    assert watched["seen"] == [], f"Streamlit's running icon showed during a refresh: {watched['seen'][:5]}"
    page.screenshot(path=str(SCREENSHOTS / "71-projector-desktop-after-refresh.png"))
    context.close()


def test_the_projector_on_a_phone_sized_screen(chrome, app_url):
    code = open_workshop(app_url.db_path)
    context, page = projector_page(chrome, app_url, code, {"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    if page.get_by_test_id("stSidebarCollapseButton").is_visible():
        page.get_by_test_id("stSidebarCollapseButton").click()
    qr = page.get_by_role("img", name=re.compile(rf"^QR code of the join link .*{code}$"))
    expect(qr).to_be_visible()
    box = qr.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390  # the QR code whole, not cut at the edge
    heading = page.get_by_role("heading", name=f"Code: {code}")
    heading.scroll_into_view_if_needed()
    assert heading.bounding_box()["width"] <= 390
    browser.wait_rendered(page)
    page.screenshot(path=str(SCREENSHOTS / "72-projector-phone.png"))
    joined = page.get_by_test_id("stMetric").filter(has_text="Joined")
    joined.scroll_into_view_if_needed()
    expect(joined).to_contain_text("0")
    page.screenshot(path=str(SCREENSHOTS / "73-projector-phone-counts.png"))
    context.close()
