"""The facilitator's side in a real browser: prepare a workshop, reorder a statement, open it after a confirmation
that names the consequence, and put the join code and its QR code on the projector."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from components import browser
from lessons import workshops
from lessons.store import connect, open_store
from tests.e2e.conftest import SCREENSHOTS, fill_sign_in

STATEMENTS = ("Pilots should publish what they learned.", "Budgets should follow what residents ask for.")


def keys_in_order(path, code) -> list[str]:
    with connect(path, readonly=True) as db:  # a reader: never waits for the server's write lock
        return [s["key"] for s in workshops.statements(db, code)]


def test_a_facilitator_prepares_opens_and_projects_a_workshop(chrome, app_url):
    context = chrome.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(f"{app_url}/workshops")
    browser.wait_rendered(page)
    fill_sign_in(page, "facilitator", "demo-facilitator-pass")
    expect(page.get_by_text("Signed in as")).to_be_visible()
    browser.wait_rendered(page)

    # prepare: a new workshop with two statements of the facilitator's own
    expander = page.get_by_test_id("stExpander").filter(has_text="Create a new workshop")
    if not expander.get_by_role("textbox", name="Title").is_visible():
        expander.get_by_text("Create a new workshop").click()
    expander.get_by_role("textbox", name="Title").fill("Projector test workshop")
    page.get_by_role("button", name="Create workshop").click()
    browser.wait_rendered(page)
    expect(page.get_by_role("combobox", name="Workshop")).to_be_visible()
    browser.wait_rendered(page)
    own = page.get_by_role("textbox", name="Your own statements, one per line")
    code = re.search(r"code=([A-Z0-9]+)", page.url).group(1)
    for _ in range(3):  # on a busy machine a rerun still under way after creating can empty the form: add again
        own.fill("\n".join(STATEMENTS))
        page.wait_for_timeout(500)
        if own.input_value() != "\n".join(STATEMENTS):
            continue
        page.get_by_role("button", name="Add statements").click()
        browser.wait_rendered(page)
        for _ in range(40):
            if keys_in_order(app_url.db_path, code):
                break
            page.wait_for_timeout(250)
        if keys_in_order(app_url.db_path, code):
            break
    expect(page.get_by_text("2 statements · 0 participants")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("Draft: not open yet · round 1")).to_be_visible()
    assert keys_in_order(app_url.db_path, code) == ["S01", "S02"]

    # reorder: S02 up, by keyboard
    up = page.get_by_role("button", name="Up").nth(1)
    up.focus()
    page.keyboard.press("Enter")
    browser.wait_rendered(page)
    expect(page.get_by_text(re.compile(r"S0\d \(written for this workshop\)")).first).to_contain_text(
        "S02 (written for this workshop) Budgets"
    )
    assert keys_in_order(app_url.db_path, code) == ["S02", "S01"]
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "40-facilitator-draft.png"), full_page=True)

    # open: nothing happens until the confirmation, which names the consequence
    page.get_by_role("button", name="Open for voting").click()
    browser.wait_rendered(page)
    expect(page.get_by_text("can join and vote on its 2 statements")).to_be_visible()
    with connect(app_url.db_path, readonly=True) as db:
        assert workshops.workshop_by_code(db, code)["status"] == "draft"
    page.screenshot(path=str(SCREENSHOTS / "41-facilitator-confirm-open.png"), full_page=True)
    page.get_by_role("button", name="Yes, open for voting").click()
    browser.wait_rendered(page)
    expect(page.get_by_role("button", name="Close voting")).to_be_visible()
    expect(page.get_by_text("Open for voting · round 1")).to_be_visible()  # the status is current
    expect(page.get_by_role("combobox", name="Workshop")).to_have_value(f"Projector test workshop ({code})")
    expect(page.get_by_role("button", name="Up")).to_have_count(0)  # statements are fixed once open

    # the projector: the code large, the link, a QR code served by our own server
    page.get_by_role("tab", name="Projector").click()
    browser.wait_rendered(page)
    expect(page.get_by_role("heading", name=f"Code: {code}")).to_be_visible()
    qr = page.get_by_role("img", name=re.compile(rf"QR code of the join link http.*vote.code={code}$"))
    expect(qr).to_be_visible()
    box = qr.bounding_box()
    assert box["width"] >= 300  # large enough to scan from the back of a room
    src = qr.get_attribute("src")
    assert src.startswith("/media/") or src.startswith(app_url)
    page.get_by_role("link", name=re.compile("Open the projector view on its own")).click()
    browser.wait_rendered(page)
    expect(page.get_by_role("heading", name=f"Code: {code}")).to_be_visible()
    expect(page.get_by_role("combobox", name="Workshop")).to_have_count(0)  # the room sees nothing else
    expect(qr).to_be_in_viewport()  # the whole QR code on a 1366 × 900 screen, without scrolling
    expect(page.get_by_test_id("stMetric").filter(has_text="Joined")).to_contain_text("0")
    with open_store(app_url.db_path) as db:
        workshops.join(db, code, stakeholder_group="citizens")
    # over the next 12 s the counts refresh by themselves (a fragment every 10 s) and the running icon never shows
    seen = page.evaluate(
        """() => new Promise(done => {
            let seen = false;
            const look = setInterval(() => {
                const icon = document.querySelector('[data-testid="stStatusWidget"]');
                if (icon && icon.getBoundingClientRect().width > 0) seen = true;
            }, 50);
            setTimeout(() => { clearInterval(look); done(seen); }, 12000);
        })"""
    )
    assert not seen
    expect(page.get_by_test_id("stMetric").filter(has_text="Joined")).to_contain_text("1", timeout=15_000)
    page.screenshot(path=str(SCREENSHOTS / "42-projector-desktop.png"))
    page.set_viewport_size({"width": 390, "height": 844})
    browser.wait_rendered(page)
    page.screenshot(path=str(SCREENSHOTS / "43-projector-phone.png"), full_page=True)
    context.close()
