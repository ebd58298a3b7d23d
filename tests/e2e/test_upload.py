"""An administrator downloads nothing but fills the real template with a small pilot, uploads it, previews and commits."""

from __future__ import annotations

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from components import browser
from lessons.store import connect
from tests.e2e.conftest import fill_sign_in
from tests.realdata import REALDATA, needs_realdata
from tests.test_ingest import filled_template

CHEMNET = REALDATA / "chemnet-policy-network" / "chemnet_pol.graphml"


def test_upload_the_filled_template_and_commit(page, app_url, shoot, tmp_path):
    with connect(app_url.db_path, readonly=True) as db:
        workbook = filled_template(db, slug="oulu-libraries-e2e")
    path = tmp_path / "oulu-summary.xlsx"
    path.write_bytes(workbook)

    page.goto(f"{app_url}/upload")
    browser.wait_rendered(page)
    sidebar = fill_sign_in(page, "admin", "demo-admin-pass")
    expect(sidebar.get_by_text("Signed in as")).to_be_visible()
    browser.wait_rendered(page)
    expect(page.get_by_role("heading", name="Upload pilot summary", exact=True)).to_be_visible()

    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(path))
    expect(page.get_by_role("heading", name="Preview")).to_be_visible(timeout=30_000)
    browser.wait_rendered(page)
    expect(page.get_by_test_id("stMetric").filter(has_text="New rows")).to_contain_text("7")
    shoot("20-upload-preview")

    page.get_by_role("button", name="Commit this upload").click()
    expect(page.get_by_text("committed. You can undo it below.")).to_be_visible(timeout=30_000)
    browser.wait_rendered(page)
    shoot("21-upload-committed")
    with connect(app_url.db_path, readonly=True) as db:
        assert db.execute(
            "SELECT count(*) FROM lessons l JOIN pilots p ON p.id = l.pilot_id WHERE p.slug = 'oulu-libraries-e2e'"
        ).fetchone() == (3,)


def choose_pilot(page, name: str) -> None:
    """Choose the default pilot and wait for the preview its rerun brings; again if the choice did not reach the
    server (typed text can stand in the box without an option being chosen, and a rerun can redraw the list)."""
    box = page.get_by_role("combobox", name="Pilot for rows that name none")
    for _ in range(3):
        box.click()
        page.keyboard.type(name)
        try:
            page.get_by_role("option", name=name).click(timeout=10_000)
            expect(page.get_by_role("heading", name="Preview")).to_be_visible(timeout=20_000)
            return
        except (AssertionError, PlaywrightError):
            page.keyboard.press("Escape")
            browser.wait_rendered(page)
    expect(page.get_by_role("heading", name="Preview")).to_be_visible()


@needs_realdata
def test_a_real_network_file_goes_in_as_shipped_with_its_types_recoded(page, app_url, shoot):
    """chemnet's node types (gov, ig, sci, par, io) are offered for recoding with suggestions; committing keeps them."""
    page.goto(f"{app_url}/upload")
    browser.wait_rendered(page)
    fill_sign_in(page, "admin", "demo-admin-pass")
    browser.wait_rendered(page)
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(CHEMNET))
    # The file names no pilot: the refusal says so once per sheet and names the way out, which the user takes.
    expect(page.get_by_text("choose the pilot for the whole file").first).to_be_visible(timeout=60_000)
    browser.wait_rendered(page)
    page.get_by_text("Options").click()
    choose_pilot(page, "Youth guidance one-stop shop (FI)")
    browser.wait_rendered(page)
    expect(page.get_by_text("Values of the column sector → Sector")).to_be_visible()
    expect(page.get_by_role("combobox", name="'gov' (11 rows)")).to_have_value("Public sector (public)")
    shoot("22-upload-network-recode")
    page.get_by_role("button", name="Commit this upload").click()
    expect(page.get_by_text("committed. You can undo it below.")).to_be_visible(timeout=60_000)
    with connect(app_url.db_path, readonly=True) as db:
        sectors = dict(
            db.execute(
                """SELECT s.sector, count(*) FROM stakeholders s JOIN pilots p ON p.id = s.pilot_id
                   WHERE p.slug = 'tampere-youth-guidance' AND s.key IN ('BMA', 'SRU', 'AGV', 'SPD', 'EC')
                   GROUP BY s.sector"""
            ).fetchall()
        )
    assert sectors == {"public": 1, "research": 1, "civil_society": 1, "not_classified": 2}
