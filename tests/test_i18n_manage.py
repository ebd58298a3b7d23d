"""The Manage pages in Finnish (#21): each page opened by an administrator reads in Finnish, numbers and refusals
included, and the upload template is written in the reader's language with its sheets and columns still English."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from components.upload_views import load_template
from lessons.editing import EditError
from lessons.i18n import number, using
from lessons.ingest.fields import SHEETS
from lessons.ingest.normalise import parse_date, parse_number
from lessons.places import coordinate
from lessons.store import connect


def in_finnish(app_on, path, page: str):
    """Sign in as the administrator (in English), then open ``page`` in Finnish, as a link with ?lang=fi does."""
    at = app_on(path, timeout=60).run()
    at.text_input(key="auth_username").set_value("admin")
    at.text_input(key="auth_password").set_value("demo-admin-pass")
    next(b for b in at.button if b.label == "Sign in").click().run()
    at.switch_page(page)
    at.query_params["lang"] = "fi"
    at.run()
    assert not at.exception
    assert at.session_state["lang"] == "fi"
    return at


def count(path, sql: str) -> int:
    with connect(path, readonly=True) as db:
        return db.execute(sql).fetchone()[0]


def test_upload_in_finnish(demo_db_path, app_on):
    at = in_finnish(app_on, demo_db_path, "pages/upload.py")
    assert at.title[0].value == "Lataa pilotin yhteenveto"
    assert at.get("download_button")[0].proto.label == "Lataa pohja (XLSX)"
    assert at.get("file_uploader")[0].proto.label == "Pilotin yhteenvedon tiedostot"
    assert [e.label for e in at.expander][:1] == ["Asetukset"]
    assert at.checkbox(key="upload_skip").label == "Tuo kelvolliset rivit ja jätä muut sivuun"
    assert [s.value for s in at.subheader] == ["Lataukset"]


def test_edit_pilot_data_in_finnish_with_a_refusal_in_finnish(demo_db_path, app_on):
    at = in_finnish(app_on, demo_db_path, "pages/pilot_data.py")
    assert at.title[0].value == "Muokkaa pilotin tietoja"
    lessons = len(at.selectbox(key="pilotdata_lesson").options)
    assert [t.label for t in at.tabs] == ["Pilotin tiedot", f"Opit ({number(lessons)})"]
    next(t for t in at.text_input if t.label == "Leveysaste").set_value("95")
    next(b for b in at.button if b.label == "Tallenna pilotin tiedot").click().run()
    assert not at.exception
    assert any("Leveysasteen on oltava välillä \\-90–90 astetta; 95 ei ole" in e.value for e in at.error)
    assert any(b.label == "Tallenna oppi" for b in at.button)


def test_vocabularies_in_finnish(demo_db_path, app_on):
    at = in_finnish(app_on, demo_db_path, "pages/vocabularies.py")
    assert at.title[0].value == "Sanastot"
    assert [t.label for t in at.tabs] == ["Teemat", "Yhteyksien lajit", "Vastaavuustaulukko", "Tuo menetelmä"]
    themes = at.dataframe[0].value
    assert {"Koodi", "Nimi", "Opit"} <= set(themes.columns)


def test_exports_in_finnish(demo_db_path, app_on):
    at = in_finnish(app_on, demo_db_path, "pages/exports.py")
    assert at.title[0].value == "Aineistot ja vienti"
    assert [s.value for s in at.subheader][:3] == [
        "Päätöksenteon tiivistelmä",
        "Tiekartta yhteiskehittämiseen",
        "Koko aineisto",
    ]
    validated = count(
        demo_db_path,
        "SELECT count(*) FROM lessons WHERE status IN ('validated', 'endorsed', 'applied_elsewhere')"
        " AND visibility = 'public'",
    )
    with using("fi"):
        shown = number(validated)
    assert any(f"Se perustuu {shown} validoituun" in m.value for m in at.markdown)
    assert any(b.proto.label == "Lataa kaikki (ZIP)" for b in at.get("download_button"))


def test_users_and_audit_in_finnish_with_counts_written_the_finnish_way(demo_db_path, app_on):
    at = in_finnish(app_on, demo_db_path, "pages/users_audit.py")
    assert at.title[0].value == "Käyttäjät ja loki"
    assert [t.label for t in at.tabs] == ["Tilit", "Muutosloki"]
    accounts = at.dataframe[0].value
    assert list(accounts.columns[:3]) == ["Käyttäjätunnus", "Nimi", "Sähköposti"]
    entries = len(at.dataframe[1].value)
    with using("fi"):
        expected = f"{number(entries)} merkintä" if entries == 1 else f"{number(entries)} merkintää"
    assert any(c.value.startswith(expected) for c in at.caption)
    assert at.selectbox(key="audit_action").options[0] == "kaikki"


def test_the_template_is_written_in_the_readers_language_with_english_sheet_and_column_names(demo_db_path):
    finnish = load_workbook(io.BytesIO(load_template(str(demo_db_path), 1, "fi")))
    english = load_workbook(io.BytesIO(load_template(str(demo_db_path), 1, "en")))
    assert finnish.sheetnames == english.sheetnames  # Instructions, Lists, Pilot, Lessons, …
    assert finnish["Instructions"]["A1"].value == "Näin täytät pilotin yhteenvedon"
    assert english["Instructions"]["A1"].value == "How to fill in this pilot summary"
    for sheet in ("Lessons", "Stakeholders", "Ties"):
        headers = [c.value for c in finnish[sheet][1]]
        assert headers == [f.name for f in SHEETS[sheet]]
    title = finnish["Lessons"]["B1"]
    assert title.value == "key" and title.comment.text.startswith("Pakollinen. Pysyvä avain pilotin sisällä")
    assert [c.value for c in finnish["Pilot"]["A"][1:4]] == ["slug", "name", "country"]


def test_a_coordinate_refused_in_the_readers_language():
    with using("fi"), pytest.raises(EditError) as refused:
        coordinate("95", "latitude")
    assert str(refused.value) == "Leveysasteen on oltava välillä -90–90 astetta; 95 ei ole."
    with pytest.raises(EditError, match="Latitude must be between -90 and 90 degrees; 95 is not."):
        coordinate("95", "latitude")


def test_the_upload_checker_names_each_problem_in_finnish_with_its_place_and_fix(demo_db_path, app_on):
    at = in_finnish(app_on, demo_db_path, "pages/upload.py")
    rows = "key,title,lesson,kind\nL90,,Something learned.,barrier\n"
    at.get("file_uploader")[0].set_value(("lessons.csv", rows.encode("utf-8"), "text/csv"))
    at.selectbox(key="upload_pilot").set_value("tampere-youth-guidance")
    at.run()
    assert not at.exception
    error = at.error[0].value
    assert error.startswith("1 ongelma (1 laji) on korjattava ennen kuin mitään kirjoitetaan:")
    assert "lessons\\.csv, taulukko Lessons, rivi 2, sarake title" in error  # the file, sheet, row and column
    assert "Otsikko on tyhjä" in error and "Lyhyt otsikko" in error  # the cause and the fix
    problems = at.dataframe[0].value
    assert list(problems.columns) == ["tiedosto", "taulukko", "rivi", "sarake", "ongelma", "korjaus", "vakavuus"]
    assert problems["ongelma"].iloc[0] == "Otsikko on tyhjä."


def test_dates_and_numbers_in_a_file_are_refused_in_the_readers_language():
    with using("fi"), pytest.raises(ValueError) as refused:
        parse_date("30.02.2021")
    assert str(refused.value) == "'30.02.2021' ei ole todellinen päivämäärä: kuukaudessa helmikuu 2021 on 28 päivää."
    with using("it"), pytest.raises(ValueError) as refused:
        parse_number("1,000")
    assert (
        str(refused.value)
        == "'1,000' potrebbe significare 1000 o 1. Scrivi 1000 o 1 perché non possa essere frainteso."
    )
    with pytest.raises(ValueError, match="February 2021 has 28 days"):
        parse_date("30.02.2021")
