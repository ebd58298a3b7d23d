"""The participant's voting card in real browsers: the same participant after a reload and a closed tab, a second
device as a second participant, the workshop alone on the page, and voting by keyboard within the key budget."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from components import browser
from lessons import workshops
from lessons.permissions import cli_actor
from lessons.store import open_store
from tests.e2e.conftest import SCREENSHOTS

STATEMENTS = [
    "Residents should co-design services from the first meeting.",
    "Budgets should follow the pilots that show results.",
    "Every pilot should publish what did not work.",
    "Local champions need paid time for the work they do.",
]


def new_workshop(path, title: str) -> str:
    with open_store(path) as db:
        code = workshops.create_workshop(db, cli_actor(), title, purpose="Check what the pilots learned.")
        workshops.add_statements(db, cli_actor(), code, texts=STATEMENTS)
        workshops.open_workshop(db, cli_actor(), code)
    return code


def participants(path, code: str) -> int:
    with open_store(path) as db:
        return db.execute(
            "SELECT count(*) FROM participants p JOIN workshops w ON w.id = p.workshop_id WHERE w.code = ?", [code]
        ).fetchone()[0]


def progress(done: int):
    return re.compile(rf"^{done} of {len(STATEMENTS)} answered")


def join(page, url: str, code: str, group: str = "Citizens") -> None:
    page.goto(f"{url}/vote?code={code}")
    browser.wait_rendered(page)
    page.get_by_role("combobox", name="Your stakeholder group").click()
    page.keyboard.type(group)
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Join").click()
    expect(page.get_by_text(progress(0))).to_be_visible()
    browser.wait_rendered(page)


def phone(chrome):
    context = chrome.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(30_000)
    return context, page


def test_a_participant_comes_back_as_themselves_and_another_device_is_someone_else(chrome, app_url):
    code = new_workshop(app_url.db_path, "Reload test workshop")
    context, page = phone(chrome)
    join(page, app_url, code)
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "40-vote-card-phone.png"), full_page=True)
    # the workshop alone: its title and purpose, no staff menu, no sign-in form, no internal key
    expect(page.get_by_role("heading", name="Reload test workshop")).to_be_visible()
    expect(page.get_by_text("Check what the pilots learned.")).to_be_visible()
    expect(page.get_by_test_id("stSidebarNav")).to_have_count(0)
    expect(page.get_by_role("textbox", name="Password")).to_have_count(0)
    expect(page.get_by_text(re.compile(r"\bS0\d\b"))).to_have_count(0)
    assert participants(app_url.db_path, code) == 1

    page.get_by_role("button", name="Agree", exact=True).click()
    expect(page.get_by_text(progress(1))).to_be_visible()
    browser.wait_rendered(page)
    page.get_by_role("button", name="Disagree", exact=True).click()
    expect(page.get_by_text(progress(2))).to_be_visible()
    browser.wait_rendered(page)
    assert "me=" in page.url  # the link now names this participant, so a reload keeps them

    page.reload()  # a reload mid-way
    browser.wait_rendered(page)
    expect(page.get_by_text(progress(2))).to_be_visible()
    expect(page.get_by_role("button", name="Join")).to_have_count(0)
    page.get_by_role("button", name="Pass / unsure", exact=True).click()
    expect(page.get_by_text(progress(3))).to_be_visible()
    browser.wait_rendered(page)

    page.close()  # the tab closed; the room's link opened again later on the same phone
    again = context.new_page()
    again.goto(f"{app_url}/vote?code={code}")
    browser.wait_rendered(again)
    expect(again.get_by_text(progress(3))).to_be_visible()
    assert participants(app_url.db_path, code) == 1  # no new participant row, however they came back

    other_context, other = phone(chrome)  # another device
    join(other, app_url, code, group="Public sector")
    assert participants(app_url.db_path, code) == 2
    other_context.close()

    again.get_by_role("button", name="Leave this workshop on this device").click()  # leaving forgets the phone
    expect(again.get_by_role("button", name="Join")).to_be_visible()
    browser.wait_rendered(again)
    again.goto(f"{app_url}/vote?code={code}")
    browser.wait_rendered(again)
    expect(again.get_by_role("button", name="Join")).to_be_visible()
    context.close()


def focused(page) -> str:
    return page.evaluate("() => document.activeElement && document.activeElement.closest('.st-key-vote_card h3') ? "
                         "document.activeElement.textContent : ''")  # fmt: skip


def test_a_keyboard_votes_three_statements_within_four_key_presses_each(chrome, app_url):
    code = new_workshop(app_url.db_path, "Keyboard test workshop")
    context = chrome.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(30_000)
    join(page, app_url, code)
    page.screenshot(path=str(SCREENSHOTS / "41-vote-card-desktop.png"), full_page=True)
    # after joining, the keyboard is on the first statement
    page.wait_for_function("() => document.activeElement && document.activeElement.closest('.st-key-vote_card h3')")
    presses = {"Agree": ["Tab", "Enter"], "Disagree": ["Tab", "Tab", "Enter"],
               "Pass": ["Tab", "Tab", "Tab", "Enter"]}  # fmt: skip
    for done, (answer, keys) in enumerate(presses.items(), start=1):
        statement = focused(page)
        assert statement in STATEMENTS
        assert len(keys) <= 4
        for key in keys[:-1]:
            page.keyboard.press(key)
        assert page.evaluate("() => document.activeElement.innerText").strip().splitlines()[-1].startswith(answer)
        page.keyboard.press(keys[-1])
        expect(page.get_by_text(progress(done))).to_be_visible()
        browser.wait_rendered(page)
        # focus moved to the next statement, which the polite live region announces
        page.wait_for_function("() => document.activeElement && document.activeElement.closest('.st-key-vote_card h3')")
        assert focused(page) != statement
        live = page.locator("#vote-live[aria-live='polite']")
        expect(live).to_have_text(f"Saved. Statement {done + 1} of {len(STATEMENTS)}: {focused(page)}")
    with open_store(app_url.db_path) as db:
        values = db.execute(
            "SELECT v.value FROM votes v JOIN statements s ON s.id = v.statement_id JOIN workshops w "
            "ON w.id = s.workshop_id WHERE w.code = ? ORDER BY v.id",
            [code],
        ).fetchall()
    assert [v for (v,) in values] == [1, -1, 0]
    page.screenshot(path=str(SCREENSHOTS / "42-vote-card-desktop-after-keyboard.png"), full_page=True)
    context.close()
