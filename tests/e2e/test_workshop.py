"""A live workshop in real browsers: two participants vote on their phones while the facilitator's results update."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from components import browser
from lessons import workshops
from lessons.permissions import cli_actor
from lessons.store import open_store
from tests.e2e.conftest import fill_sign_in


def participant_votes(chrome, url: str, code: str, group: str, vote: str, shot=None) -> None:
    context = chrome.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    phone = context.new_page()
    phone.set_default_timeout(30_000)
    phone.goto(f"{url}/vote?code={code}")
    browser.wait_rendered(phone)
    expect(phone.get_by_text("Live test workshop")).to_be_visible()
    phone.get_by_role("combobox", name="Your stakeholder group").click()
    phone.keyboard.type(group)
    phone.keyboard.press("Enter")
    phone.get_by_role("button", name="Join").click()
    expect(phone.get_by_text(re.compile(r"0 of 2 answered"))).to_be_visible()
    if shot:
        phone.screenshot(path=str(shot))
    for answered in (1, 2):
        phone.get_by_role("button", name=vote, exact=True).click()
        expect(phone.get_by_text(re.compile(rf"^{answered} of 2 answered"))).to_be_visible(timeout=20_000)
        browser.wait_rendered(phone)
    expect(phone.get_by_text("You have answered every statement of this round.")).to_be_visible(timeout=20_000)
    context.close()


def test_two_participants_vote_while_results_update(chrome, app_url, page, shoot):
    with open_store(app_url.db_path) as db:
        code = workshops.create_workshop(db, cli_actor(), "Live test workshop")
        workshops.add_statements(
            db, cli_actor(), code, texts=["Residents should co-design services.", "Budgets should follow pilots."]
        )
        workshops.open_workshop(db, cli_actor(), code)
    page.goto(f"{app_url}/workshops?code={code}")
    browser.wait_rendered(page)
    fill_sign_in(page, "facilitator", "demo-facilitator-pass")
    expect(page.get_by_text("Signed in as")).to_be_visible()
    browser.wait_rendered(page)
    page.get_by_role("tab", name="Projector").click()
    expect(page.get_by_role("heading", name=f"Code: {code}")).to_be_visible()
    shoot("30-workshop-projector")
    page.get_by_role("tab", name="Live results").click()
    expect(page.get_by_text("No votes yet.")).to_be_visible()

    screenshots = browser.PROJECT_DIR / "tests" / "e2e" / "screenshots"
    participant_votes(chrome, app_url, code, "Citizens", "Agree", shot=screenshots / "31-workshop-phone.png")
    participant_votes(chrome, app_url, code, "Public sector", "Disagree")

    # the facilitator's page refreshes its results by itself (every 5 s), without a reload
    votes = page.get_by_test_id("stMetric").filter(has_text="Votes")
    expect(votes).to_contain_text("4", timeout=20_000)
    expect(page.get_by_test_id("stMetric").filter(has_text="Participants")).to_contain_text("2")
    expect(page.get_by_text("2 participants voted.")).to_be_visible()
    shoot("32-workshop-live-results")
    # the facilitator switches to the Pol.is-compatible analysis; the count and its reasons stay in view
    page.get_by_text("Pol.is-compatible", exact=True).click()
    browser.wait_rendered(page)
    # Pol.is places both (2 votes each on 2 statements) and sets no minimum group size
    expect(page.get_by_text("2 participants voted. 2 are placed in an opinion group.")).to_be_visible(timeout=20_000)
    shoot("33-workshop-polis-method")
