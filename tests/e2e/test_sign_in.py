"""A coordinator signs in, is offered their own pilot to edit, and signs out, in a real browser."""

from __future__ import annotations

from playwright.sync_api import expect

from components import browser
from tests.e2e.conftest import fill_sign_in


def test_coordinator_signs_in_sees_their_pilot_and_signs_out(page, app_url, shoot):
    page.goto(f"{app_url}/pilot-data")
    browser.wait_rendered(page)
    expect(page.get_by_text("Sign in (in the sidebar)")).to_be_visible()
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_role("textbox", name="User name").fill("coordinator")
    sidebar.get_by_role("textbox", name="Password").fill("demo-coordinator-pass")
    shoot("10-sign-in-form")
    sidebar.get_by_role("button", name="Sign in").click()
    expect(sidebar.get_by_text("Signed in as")).to_be_visible()
    browser.wait_rendered(page)
    expect(page.get_by_role("heading", name="Edit pilot data", exact=True)).to_be_visible()
    pilot = page.get_by_role("combobox", name="Pilot", exact=True)
    expect(pilot).to_have_value("Youth guidance one-stop shop (FI)")
    pilot.click()
    options = page.get_by_role("option")
    expect(options).to_have_count(1)
    shoot("11-coordinator-pilot-offered")
    page.keyboard.press("Escape")

    page.get_by_role("tab", name="Lessons (22)").click()
    expect(page.get_by_role("button", name="Save lesson")).to_be_visible()
    shoot("12-coordinator-lesson-form")

    sidebar.get_by_role("button", name="Sign out").click()
    expect(sidebar.get_by_role("button", name="Sign in")).to_be_visible()
    browser.wait_rendered(page)
    expect(page.get_by_text("Sign in (in the sidebar)")).to_be_visible()
    expect(page.get_by_role("button", name="Save lesson")).to_have_count(0)
    shoot("13-signed-out")


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(page, app_url):
    page.goto(app_url)
    browser.wait_rendered(page)
    sidebar = fill_sign_in(page, "coordinator", "guessing-wrongly")
    expect(sidebar.get_by_text("Wrong user name or password.")).to_be_visible()


def test_staff_stay_signed_in_across_a_reload_until_they_sign_out(page, app_url, chrome):
    """#16: a reload or a new tab keeps the sign-in; signing out ends the session, even for a copy of its cookie."""
    page.goto(f"{app_url}/pilot-data")
    browser.wait_rendered(page)
    sidebar = fill_sign_in(page, "coordinator", "demo-coordinator-pass")
    expect(sidebar.get_by_text("Signed in as")).to_be_visible()
    page.wait_for_function("document.cookie.includes('lessons_staff=')")
    cookie = next(c for c in page.context.cookies() if c["name"] == "lessons_staff")
    assert cookie["sameSite"] == "Strict" and len(cookie["value"]) >= 32

    page.reload()
    browser.wait_rendered(page)
    expect(page.get_by_test_id("stSidebar").get_by_text("Signed in as")).to_be_visible()
    expect(page.get_by_role("heading", name="Edit pilot data", exact=True)).to_be_visible()
    other = page.context.new_page()  # a new tab of the same browser
    other.goto(f"{app_url}/pilot-data")
    browser.wait_rendered(other)
    expect(other.get_by_test_id("stSidebar").get_by_text("Signed in as")).to_be_visible()
    other.close()

    page.get_by_test_id("stSidebar").get_by_role("button", name="Sign out").click()
    expect(page.get_by_test_id("stSidebar").get_by_role("button", name="Sign in")).to_be_visible()
    page.wait_for_function("!document.cookie.includes('lessons_staff=')")
    page.reload()
    browser.wait_rendered(page)
    expect(page.get_by_text("Sign in (in the sidebar)")).to_be_visible()

    # The signed-out session's cookie, copied into another browser, signs nobody in.
    thief = chrome.new_context()
    thief.add_cookies([{k: cookie[k] for k in ("name", "value", "domain", "path", "sameSite")}])
    stolen = thief.new_page()
    stolen.goto(f"{app_url}/pilot-data")
    browser.wait_rendered(stolen)
    expect(stolen.get_by_text("Sign in (in the sidebar)")).to_be_visible()
    expect(stolen.get_by_test_id("stSidebar").get_by_text("Signed in as")).to_have_count(0)
    thief.close()
