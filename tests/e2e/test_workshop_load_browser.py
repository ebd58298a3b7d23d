"""The load test's protocol participants are counted like browsers (#16): one Chromium participant and two
participants speaking Streamlit's protocol (``components.workshop_load``) vote in the same workshop at the same time,
and the store holds every vote of all three."""

from __future__ import annotations

import asyncio
import re
import threading

from playwright.sync_api import expect

from components import browser, workshop_load
from lessons.store import open_store
from lessons.workshop_counts import seed_load_workshop, stored_counts

VOTES = 5


def test_protocol_participants_vote_beside_a_browser(chrome, app_url):
    with open_store(app_url.db_path) as db:
        code = seed_load_workshop(db, VOTES)
    outcomes = []
    robots = threading.Thread(
        target=lambda: outcomes.extend(asyncio.run(workshop_load.room(app_url, code, 2, votes=VOTES, think=0.1)))
    )
    robots.start()

    context = chrome.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    phone = context.new_page()
    phone.set_default_timeout(30_000)
    phone.goto(f"{app_url}/vote?code={code}")
    browser.wait_rendered(phone)
    phone.get_by_role("combobox", name="Your stakeholder group").click()
    phone.keyboard.type("Citizens")
    phone.keyboard.press("Enter")
    phone.get_by_role("button", name="Join").click()
    expect(phone.get_by_text(re.compile(rf"0 of {VOTES} answered"))).to_be_visible()
    for answered in range(1, VOTES + 1):
        phone.get_by_role("button", name="Disagree", exact=True).click()
        expect(phone.get_by_text(re.compile(rf"^{answered} of {VOTES} answered"))).to_be_visible(timeout=20_000)
        browser.wait_rendered(phone)
    expect(phone.get_by_text("You have answered every statement of this round.")).to_be_visible(timeout=20_000)
    context.close()
    robots.join(timeout=120)

    assert [o.errors for o in outcomes] == [[], []]
    assert [o.votes_sent for o in outcomes] == [VOTES, VOTES]
    assert stored_counts(app_url.db_path, code) == {
        "statements": VOTES,
        "participants": 3,
        "votes": 3 * VOTES,
        "duplicates": 0,
    }
