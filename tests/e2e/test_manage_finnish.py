"""The Manage pages in Finnish in a real browser (#20, #21): a coordinator puts their pilot on the map on *Muokkaa
pilotin tietoja*, a wrong latitude is refused in Finnish, and the upload checker names a problem in Finnish.
Screenshots at 1366 and 390 px wide."""

from __future__ import annotations

from playwright.sync_api import expect

from components import browser
from lessons.store import connect
from tests.e2e.conftest import sign_in_as


def place(db_path) -> tuple:
    with connect(db_path, readonly=True) as db:
        return db.execute("SELECT latitude, longitude FROM pilots WHERE slug = 'tampere-youth-guidance'").fetchone()


def test_a_coordinator_sets_the_pilots_place_in_finnish(page, app_url, shoot):
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in_as(page, app_url, "coordinator")
    page.goto(f"{app_url}/pilot-data?lang=fi")
    browser.wait_rendered(page)
    expect(page.get_by_role("heading", name="Muokkaa pilotin tietoja", exact=True)).to_be_visible()
    latitude = page.get_by_role("textbox", name="Leveysaste")
    longitude = page.get_by_role("textbox", name="Pituusaste")
    expect(latitude).to_have_value("61.498")
    latitude.fill("123")
    page.get_by_role("button", name="Tallenna pilotin tiedot").click()
    expect(page.get_by_text("Leveysasteen on oltava välillä -90–90 astetta; 123 ei ole.")).to_be_visible()
    assert place(app_url.db_path) == (61.498, 23.761)

    page.get_by_role("textbox", name="Leveysaste").fill("61,4978")
    longitude.fill("23.7603")
    page.get_by_role("button", name="Tallenna pilotin tiedot").click()
    expect(page.get_by_text("Tallennettu: Leveysaste, Pituusaste.")).to_be_visible()
    browser.wait_rendered(page)
    assert place(app_url.db_path) == (61.4978, 23.7603)
    expect(page.get_by_role("button", name="Peru viimeisin muutos näihin tietoihin")).to_be_visible()
    page.get_by_text("Sijainti kartalla").scroll_into_view_if_needed()
    shoot("manage-fi-place-1366")
    page.set_viewport_size({"width": 390, "height": 844})
    browser.wait_rendered(page)
    shoot("manage-fi-place-390")


def test_the_upload_checker_speaks_finnish(page, app_url, shoot, tmp_path):
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in_as(page, app_url, "coordinator")
    page.goto(f"{app_url}/upload?lang=fi")
    browser.wait_rendered(page)
    expect(page.get_by_role("heading", name="Lataa pilotin yhteenveto", exact=True)).to_be_visible()
    path = tmp_path / "lessons.csv"
    path.write_text("pilot,key,title,lesson,kind\ntampere-youth-guidance,L90,,Something learned.,barrier\n")
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(path))
    expect(page.get_by_text("1 ongelma (1 laji) on korjattava ennen kuin mitään kirjoitetaan:")).to_be_visible(
        timeout=30_000
    )
    expect(page.get_by_text("Otsikko on tyhjä", exact=False).first).to_be_visible()
    browser.wait_rendered(page)
    shoot("manage-fi-upload-1366")
    page.set_viewport_size({"width": 390, "height": 844})
    browser.wait_rendered(page)
    shoot("manage-fi-upload-390")
