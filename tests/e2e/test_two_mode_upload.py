"""An administrator uploads an affiliation list (organisations × projects) as two-mode data for the whole consortium,
sees what it holds, commits it, finds the projected network on the Network page, and undoes the upload."""

from __future__ import annotations

from playwright.sync_api import expect

from components import browser
from lessons.store import connect
from tests.e2e.conftest import fill_sign_in

#: City and University of Oulu share two projects; the NGO shares one with each.
AFFILIATIONS = (
    "organisation,project,type\n"
    "City of Oulu E2E,P1,public\nUniversity of Oulu E2E,P1,research\n"
    "City of Oulu E2E,P2,public\nUniversity of Oulu E2E,P2,research\nOulu NGO E2E,P2,ngo\n"
)


def consortium(path) -> tuple[int, list]:
    with connect(path, readonly=True) as db:
        actors = db.execute(
            "SELECT count(*) FROM stakeholders s JOIN pilots p ON p.id = s.pilot_id WHERE p.slug = 'consortium'"
        ).fetchone()[0]
        weights = db.execute(
            """SELECT weight FROM ties t JOIN pilots p ON p.id = t.pilot_id
               WHERE p.slug = 'consortium' AND relation = 'co-participation' ORDER BY weight"""
        ).fetchall()
    return actors, [w for (w,) in weights]


def test_upload_an_affiliation_list_for_the_whole_consortium(page, app_url, shoot, tmp_path):
    path = tmp_path / "partners.csv"
    path.write_text(AFFILIATIONS, encoding="utf-8")
    page.goto(f"{app_url}/upload")
    browser.wait_rendered(page)
    sidebar = fill_sign_in(page, "admin", "demo-admin-pass")
    expect(sidebar.get_by_text("Signed in as")).to_be_visible()
    browser.wait_rendered(page)

    page.get_by_text("Options", exact=True).click()
    page.get_by_role("textbox", name="Country of new pilots (administrators)").fill("FI")
    page.get_by_role("textbox", name="Country of new pilots (administrators)").press("Enter")
    browser.wait_rendered(page)
    page.get_by_text("This file is an affiliation list (two-mode)").click()
    browser.wait_rendered(page)
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(path))
    expect(page.get_by_role("heading", name="Preview")).to_be_visible(timeout=30_000)
    browser.wait_rendered(page)
    page.get_by_role("combobox", name="Sector of the actor (optional)").click()
    page.get_by_role("option", name="type", exact=True).click()
    browser.wait_rendered(page)
    expect(page.get_by_test_id("stMetric").filter(has_text="Actors")).to_contain_text("3")
    expect(page.get_by_test_id("stMetric").filter(has_text="Ties")).to_contain_text("3")
    expect(page.get_by_text("The actors become the stakeholders of the whole consortium")).to_be_visible()
    shoot("25-two-mode-preview")

    page.get_by_role("button", name="Commit this upload").click()
    expect(page.get_by_text("committed. You can undo it below.")).to_be_visible(timeout=30_000)
    browser.wait_rendered(page)
    assert consortium(app_url.db_path) == (3, [1.0, 1.0, 2.0])

    page.goto(f"{app_url}/networks?pilot=consortium")
    browser.wait_rendered(page)
    expect(page.get_by_role("heading", name="Stakeholder networks")).to_be_visible()
    expect(page.get_by_text("Lines are ties (thicker: heavier)")).to_be_visible()
    seen = page.locator("body").aria_snapshot()
    assert 'combobox "Pilot": Whole consortium' in seen and "Stakeholder network" in seen
    shoot("26-two-mode-network")

    page.goto(f"{app_url}/upload")  # a new page load: the staff session keeps the administrator signed in
    browser.wait_rendered(page)
    expect(page.get_by_test_id("stSidebar").get_by_text("Signed in as")).to_be_visible()
    browser.wait_rendered(page)
    page.get_by_role("button", name="Undo this upload").click()
    expect(page.get_by_text("undone: its pilots are as they were before it.")).to_be_visible(timeout=30_000)
    with connect(app_url.db_path, readonly=True) as db:
        assert db.execute("SELECT count(*) FROM pilots WHERE slug = 'consortium'").fetchone() == (0,)
