"""Briefs, the roadmap and the domain's messages in the reader's language (#21): a brief made in Finnish reads in
Finnish with Finnish numbers, a Greek PDF prints (and extracts) Greek letters, ``brief --lang`` writes in the language
asked for, the pages' buttons make a brief in the reader's language, and refusals are worded in it."""

from __future__ import annotations

from io import BytesIO
from shutil import copy

import pytest
from pypdf import PdfReader

from lessons import report, store
from lessons.access import refusal
from lessons.cli import main
from lessons.i18n import _, using
from lessons.lifecycle import describe, path_to
from lessons.permissions import Actor, PermissionDenied, authorize
from lessons.report.render import render, to_html
from tests.test_pages import tiny_path  # noqa: F401 - a fixture

NBSP = "\xa0"


@pytest.fixture(scope="module")
def demo(demo_template, tmp_path_factory):
    from lessons.store import open_store
    from lessons.synthesis import similarity

    path = tmp_path_factory.mktemp("briefs-i18n") / "demo.db"
    copy(demo_template, path)
    db = open_store(path)
    similarity(db)
    yield db
    db.close()


@pytest.fixture
def no_default_db(monkeypatch, tmp_path):
    """Point the default database at a temporary file, so no test touches data/lessons.db."""
    monkeypatch.setattr(store, "DEFAULT_DB", tmp_path / "default" / "lessons.db")
    monkeypatch.delenv("LESSONS_DB", raising=False)


def _text(made: report.Report) -> str:
    parts = [made.title, made.subtitle]
    for section in made.sections:
        parts.append(section.heading)
        for block in section.blocks:
            parts += [block.text, *block.items, block.caption, block.alt]
    return "\n".join(parts)


def test_a_brief_made_in_finnish_has_finnish_headings_and_numbers(demo):
    made = report.theme_brief(demo, "trust", language="fi")
    assert made.language == "fi"
    assert made.title.startswith("Politiikkatiivistelmä: ")
    assert [s.heading for s in made.sections] == [
        "Lyhyesti",
        "Mikä toistuu piloteissa",
        "Missä pilotit ovat eri mieltä",
        "Mitä vahvistustyöpajat sanoivat",
        "Ketkä olivat mukana",
    ]
    text = _text(made)
    assert f"20{NBSP}%" in text  # the similarity threshold, a Finnish percentage
    assert "oppia (" in made.sections[0].blocks[0].items[0]  # "38 oppia (12 pilottia, …)"
    assert "työpaja HVR3QT, kierros" in text and "95 %:n lv" in text  # a vote cited the Finnish way
    page = to_html(made).decode("utf-8")
    assert page.startswith('<!DOCTYPE html><html lang="fi">')
    assert "<h2>Lähteet</h2>" in page and "Viitatut opit" in page


def test_a_finnish_roadmap_and_pilot_brief_write_dates_and_counts_for_finland(demo):
    pilot = report.pilot_brief(demo, "tampere-youth-guidance", language="fi")
    facts = dict(pilot.sections[0].blocks[0].frame.itertuples(index=False))
    assert facts["Maa"] == "Suomi"
    assert facts["Ajankohta"] == "15.1.2019–30.6.2021"
    roadmap = report.roadmap(demo, language="fi")
    assert roadmap.title == "Tiekartta yhteiskehittämiseen"
    assert [s.heading for s in roadmap.sections][1].startswith("Vaihe 1. ")


def test_a_greek_pdf_prints_greek_letters_that_extract_as_text(demo):
    made = report.theme_brief(demo, "trust", language="el")
    files = render(made)
    reader = PdfReader(BytesIO(files["brief-theme-trust.pdf"]))
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Σημείωμα πολιτικής" in text and "Με λίγα λόγια" in text and "Πηγές" in text
    assert "σελίδα 1 από" in text  # the footer
    assert [o.title for o in reader.outline][:1] == ["Με λίγα λόγια"]
    assert '<html lang="el">' in files["brief-theme-trust.html"].decode("utf-8")


def test_a_latvian_brief_keeps_its_letters_in_the_pdf(demo):
    made = report.pilot_brief(demo, "tampere-youth-guidance", language="lv")
    text = " ".join(p.extract_text() for p in PdfReader(BytesIO(render(made, ("pdf",))[f"{made.file_stem}.pdf"])).pages)
    assert "Ieinteresēto pušu tīkls" in text and "Vadošā organizācija" in text


def test_english_briefs_are_unchanged_by_default(demo):
    made = report.theme_brief(demo, "trust")
    assert made.language == "en" and made.title == "Policy brief: Trust and relationships"
    assert made.sections[0].heading == "In brief"
    assert to_html(made).decode("utf-8").startswith('<!DOCTYPE html><html lang="en">')


def test_an_unknown_subject_is_refused_in_the_language_asked_for(demo):
    with pytest.raises(report.ReportError, match="Teemaa ”nope” ei ole."):
        report.brief(demo, "theme", "nope", "fi")
    with pytest.raises(report.ReportError, match="There is no theme “nope”."):
        report.brief(demo, "theme", "nope")


def test_the_command_line_writes_a_brief_in_the_language_asked_for(demo_db_path, tmp_path, capsys, no_default_db):
    out = tmp_path / "trust.html"
    args = ["brief", "--theme", "trust", "--out", str(out), "--db", str(demo_db_path), "--lang", "el"]
    assert main(args) == 0
    assert "Σημείωμα πολιτικής: " in capsys.readouterr().out
    page = out.read_text(encoding="utf-8")
    assert '<html lang="el">' in page and "<h2>Με λίγα λόγια</h2>" in page
    with pytest.raises(SystemExit) as refused:  # not an interface language
        main([*args[:-1], "de"])
    assert refused.value.code == 2 and "invalid choice: 'de'" in capsys.readouterr().err


def test_the_pages_buttons_make_a_brief_in_the_readers_language(monkeypatch):
    from components import export_views

    made = []
    monkeypatch.setattr(export_views, "_prepared", lambda path, version, name: b"prepared in English")
    monkeypatch.setattr(export_views, "_similarity_stored", lambda path: None)
    monkeypatch.setattr(export_views, "reading", lambda path, audience: _Nothing())
    monkeypatch.setattr(
        export_views.drawing,
        "report_file",
        lambda db, subject, key, file_format, language: made.append(language) or language.encode(),
    )
    public = export_views.PUBLIC
    assert export_views.made_report("x.db", 1, "theme", "trust", "pdf", public) == b"prepared in English"
    assert export_views.made_report("x.db", 1, "theme", "trust", "pdf", public, "fi") == b"fi"
    assert made == ["fi"]


class _Nothing:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


def test_refusals_and_the_lifecycle_speak_the_readers_language():
    viewer = Actor("vic", "viewer")
    with using("fi"), pytest.raises(PermissionDenied) as refused:
        authorize(viewer, "pilot.create")
    assert str(refused.value) == "Roolissa ”lukija” ei voi luoda pilotteja."
    with using("el"):
        assert refusal(refused.value).lead == "Δεν επιτρέπεται: "
        with pytest.raises(PermissionDenied, match="Συνδεθείτε για τη μεταφόρτωση δεδομένων"):
            authorize(None, "upload.commit", 1)
    with using("es"):
        assert path_to("validated").startswith("Una lección pasa a validada")
        row = {"status": "validated", "source": "workshop", "workshop": "HVR3QT", "round": 2, "agree": 1234,
               "disagree": 1, "pass": 5}  # fmt: skip
        assert describe(row) == "Validada por el taller HVR3QT, ronda 2: 1.234 a favor, 1 en contra, 5 abstenciones"
    with pytest.raises(PermissionDenied, match="A viewer may not create pilots."):
        authorize(viewer, "pilot.create")


@pytest.fixture
def small(tiny_path):  # noqa: F811 - the fixture imported above
    """A store with two pilots and three lessons: quick to prepare."""
    return tiny_path


def test_the_exports_page_in_finnish_makes_the_briefs_on_click_not_the_prepared_english_ones(small, app_on):
    from components import export_views as views
    from lessons import prepared

    prepared.bring_up_to_date(small)
    at = app_on(small, {"lang": "fi"}).run()
    at.switch_page("pages/exports.py").run()
    assert not at.exception and at.session_state["lang"] == "fi"
    keys = {b.key for b in at.get("download_button")}
    assert {"exports_brief_pdf", "exports_brief_html", "exports_roadmap_pdf", "exports_roadmap_html"} <= keys
    with using("fi"):
        ready = _(views.READY)
    # the bundle is the same in every language; the brief and the roadmap are made in Finnish when clicked
    assert [c.value for c in at.caption].count(ready) == 1
