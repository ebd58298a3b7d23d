"""The public workshop report in real browsers: the facilitator publishes it, an anonymous visitor opens its link."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from components import browser
from lessons.permissions import cli_actor
from lessons.store import open_store
from lessons.workshops import apply_results, moderate, submit_statement
from lessons.workshops.public_report import publish_report, respond
from tests.e2e.conftest import SCREENSHOTS, fill_sign_in
from tests.test_public_report import FACILITATOR, build, two_camp_workshop

CODE = "PUBR34"


def visitor(chrome, url: str, viewport: dict, shot: str, **device) -> None:
    context = chrome.new_context(viewport=viewport, **device)
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(f"{url}/workshop-report?code={CODE}")
    browser.wait_rendered(page)
    expect(page.get_by_role("heading", name=re.compile(r"^Workshop report.{1,3}Trust in Tampere"))).to_be_visible()
    expect(page.get_by_role("heading", name="How people voted on each statement")).to_be_visible()
    expect(page.get_by_role("button", name="Download the report (PDF)")).to_be_visible()
    expect(page.get_by_text("Facilitator: publish this report")).to_have_count(0)
    expect(page.get_by_text("Signed in as")).to_have_count(0)
    assert "secret-token" not in page.content()
    browser.wait_rendered(page)
    page.screenshot(path=str(SCREENSHOTS / f"{shot}.png"), full_page=True)
    for part, heading in (("groups", "Stakeholder groups"), ("next", "What happened next")):
        page.get_by_role("heading", name=heading).scroll_into_view_if_needed()
        page.screenshot(path=str(SCREENSHOTS / f"{shot}-{part}.png"))
    context.close()


def test_the_facilitator_publishes_and_an_anonymous_visitor_reads_it(chrome, app_url, page):
    with open_store(app_url.db_path) as db:
        build(db, code=CODE)
        apply_results(db, cli_actor(), CODE)
        respond(db, FACILITATOR, CODE, "S02", "We will raise budgets with the city in May.")
    # Before publishing, a visitor is told plainly.
    page.goto(f"{app_url}/workshop-report?code={CODE}")
    browser.wait_rendered(page)
    expect(page.get_by_text("This workshop's report is not published yet.")).to_be_visible()
    expect(page.get_by_role("heading", name="How people voted on each statement")).to_have_count(0)

    fill_sign_in(page, "facilitator", "demo-facilitator-pass")
    expect(page.get_by_text("Signed in as")).to_be_visible()
    browser.wait_rendered(page)
    publish = page.get_by_role("button", name="Publish the report")
    expect(publish).to_be_disabled()
    page.get_by_text("Yes, publish: anyone with this page's address").click()
    expect(publish).to_be_enabled()
    publish.click()
    expect(page.get_by_text("anyone with this page's address can read it")).to_be_visible()

    SCREENSHOTS.mkdir(exist_ok=True)
    visitor(chrome, app_url, {"width": 1366, "height": 900}, "40-workshop-report-desktop")
    visitor(chrome, app_url, {"width": 390, "height": 844}, "41-workshop-report-phone", is_mobile=True, has_touch=True)


def test_a_suggestions_author_sees_its_outcome_on_their_phone(chrome, app_url):
    with open_store(app_url.db_path) as db:
        workshop, _ = two_camp_workshop(db)
        token = f"t{workshop}-0"
        key = submit_statement(db, token, "Open the town hall on Sundays")
        moderate(db, cli_actor(), "CAMPS7", key, approve=False)
        respond(db, FACILITATOR, "CAMPS7", key, "Not this year: the hall is being repaired.")
        publish_report(db, FACILITATOR, "CAMPS7")
    context = chrome.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    phone = context.new_page()
    phone.set_default_timeout(30_000)
    phone.goto(f"{app_url}/workshop-report?code=CAMPS7&token={token}")
    browser.wait_rendered(phone)
    mine = phone.get_by_role("heading", name=re.compile("^Your own view"))
    expect(mine).to_be_visible()
    expect(phone.get_by_text(re.compile(r"your votes fall in opinion group [AB], with 8 people"))).to_be_visible()
    mine.scroll_into_view_if_needed()
    browser.wait_rendered(phone)
    phone.screenshot(path=str(SCREENSHOTS / "42-workshop-report-own-view-phone.png"))
    context.close()
