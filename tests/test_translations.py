"""Lessons' translations (#21): entered by who may edit the lesson, audited, shown in the reader's language, and
translated in a spreadsheet checked like an upload."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook, load_workbook

from lessons import synthesis, translations
from lessons.cli import main
from lessons.ingest.problems import IngestError
from lessons.permissions import Actor, PermissionDenied
from lessons.store import open_memory_store, open_store

ADMIN = Actor("ana", "admin", display_name="Ana Bianchi")


@pytest.fixture
def db():
    db = open_memory_store()
    rome = db["pilots"].insert({"slug": "roma", "name": "Roma", "country": "IT"}).last_pk
    oulu = db["pilots"].insert({"slug": "oulu", "name": "Oulu", "country": "FI"}).last_pk
    db["lessons"].insert_all(
        [
            {"pilot_id": rome, "key": "L1", "title": "Fiducia", "lesson": "Le comunità locali hanno partecipato",
             "kind": "insight", "language": "it"},
            {"pilot_id": oulu, "key": "L1", "title": "Trust", "lesson": "Local champions built trust",
             "kind": "enabler", "language": "en"},
        ]
    )  # fmt: skip
    return db


def lesson_id(db, slug, key="L1") -> int:
    return db.execute(
        "SELECT l.id FROM lessons l JOIN pilots p ON p.id = l.pilot_id WHERE p.slug = ? AND l.key = ?", [slug, key]
    ).fetchone()[0]


def test_a_translation_is_written_audited_and_shown_to_readers_of_its_language(db):
    rome = lesson_id(db, "roma")
    translations.set_translation(db, ADMIN, rome, "en", title="Trust", lesson="Local communities took part")
    entry = db.execute("SELECT actor, action, object_id, detail FROM audit_log").fetchall()
    assert entry == [("ana", "lesson.translate", str(rome), '{"language": "en"}')]
    lesson = {"id": rome, "title": "Fiducia", "lesson": "Le comunità locali hanno partecipato", "language": "it"}
    seen = translations.shown_in(db, lesson, "en")
    assert (seen["title"], seen["lesson"], seen["shown_language"], seen["original_language"]) == (
        "Trust", "Local communities took part", "en", "it",
    )  # fmt: skip
    assert seen["is_translation"] and seen["translated_by"] == "Ana Bianchi"
    original = translations.shown_in(db, lesson, "fi")
    assert (original["title"], original["is_translation"], original["shown_language"]) == ("Fiducia", False, "it")
    # writing again replaces it; removing it shows the original
    translations.set_translation(db, ADMIN, rome, "en", title="Trust, again", lesson="x")
    assert [t["title"] for t in translations.translations_of(db, rome)] == ["Trust, again"]
    assert translations.remove_translation(db, ADMIN, rome, "en")
    assert translations.shown_in(db, lesson, "en")["title"] == "Fiducia"


def test_only_who_may_edit_the_lesson_translates_it(db):
    rome = lesson_id(db, "roma")
    with pytest.raises(PermissionDenied):
        translations.set_translation(db, Actor("vic", "viewer"), rome, "en", title="T", lesson="x")
    with pytest.raises(PermissionDenied):  # a coordinator of another pilot
        translations.set_translation(db, Actor("cai", "coordinator", frozenset({2})), rome, "en", title="T", lesson="x")
    translations.set_translation(db, Actor("cat", "coordinator", frozenset({1})), rome, "en", title="T", lesson="x")
    assert db["lesson_translations"].count == 1


def test_a_translation_needs_a_title_a_text_and_another_language(db):
    rome = lesson_id(db, "roma")
    with pytest.raises(translations.TranslationError, match="another language"):
        translations.set_translation(db, ADMIN, rome, "it", title="T", lesson="x")
    with pytest.raises(translations.TranslationError, match="needs a title"):
        translations.set_translation(db, ADMIN, rome, "en", title="  ", lesson="x")
    with pytest.raises(translations.TranslationError, match="not a language code"):
        translations.set_translation(db, ADMIN, rome, "english", title="T", lesson="x")
    assert db["lesson_translations"].count == 0 and db["audit_log"].count == 0


def test_what_is_left_to_translate_per_language(db):
    assert translations.untranslated(db, "fi")[["pilot", "key"]].values.tolist() == [["oulu", "L1"], ["roma", "L1"]]
    assert translations.untranslated(db, "it")["pilot"].tolist() == ["oulu"]
    translations.set_translation(db, ADMIN, lesson_id(db, "oulu"), "it", title="Fiducia", lesson="x")
    assert translations.untranslated(db, "it").empty
    assert translations.coverage(db, ["it", "fi"]).to_dict("records") == [
        {"language": "it", "written": 1, "translated": 1, "untranslated": 0},
        {"language": "fi", "written": 0, "translated": 0, "untranslated": 2},
    ]
    assert translations.lesson_languages(db) == ["en", "it"]


def _sheet(rows: list[list]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_translated_workbook_round_trips_with_formulas_neutralised(db):
    translations.set_translation(db, ADMIN, lesson_id(db, "oulu"), "fi", title="=HYPERLINK(1)", lesson="Luottamus")
    exported = translations.export_sheet(db, "fi")
    sheet = load_workbook(io.BytesIO(exported)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == list(translations.SHEET_COLUMNS)
    assert rows[1][:4] == ("oulu", "L1", "fi", "en") and rows[1][8] == "'=HYPERLINK(1)"  # never a formula
    assert rows[2][:2] == ("roma", "L1") and rows[2][8] is None
    sheet.cell(row=3, column=9, value="Luottamus")
    sheet.cell(row=3, column=10, value="Paikalliset yhteisöt osallistuivat")
    out = io.BytesIO()
    sheet.parent.save(out)
    assert translations.import_sheet(db, ADMIN, data=out.getvalue(), filename="fi.xlsx") == 2
    assert [t["title"] for t in translations.translations_of(db, lesson_id(db, "oulu"))] == ["=HYPERLINK(1)"]
    assert translations.translations_of(db, lesson_id(db, "roma"))[0]["lesson"] == "Paikalliset yhteisöt osallistuivat"
    assert db.execute("SELECT action, rows FROM audit_log ORDER BY id DESC LIMIT 1").fetchone() == (
        "lesson.translations_import", 2,
    )  # fmt: skip


def test_a_workbook_with_a_bad_row_writes_nothing_and_says_where_and_how_to_fix_it(db):
    head = ["pilot", "key", "language", "title", "lesson", "context", "recommendation"]
    data = _sheet(
        [
            head,
            ["oulu", "L1", "fi", "Luottamus", "Hyvä", None, None],
            ["oulu", "L9", "fi", "Ei", "Ole", None, None],
            ["roma", "L1", "it", "Fiducia", "x", None, None],
            ["roma", "L1", "fi", "Luottamus", None, None, None],
            ["roma", "L1", "fi", None, None, None, None],  # not translated yet: left out
        ]
    )
    with pytest.raises(IngestError) as raised:
        translations.import_sheet(db, ADMIN, data=data, filename="fi.xlsx")
    found = [(p.file, p.row, p.column) for p in raised.value.problems]
    assert found == [("fi.xlsx", 3, "key"), ("fi.xlsx", 4, "language"), ("fi.xlsx", 5, "lesson")]
    assert all(p.fix for p in raised.value.problems)
    assert db["lesson_translations"].count == 0 and db["audit_log"].count == 0
    with pytest.raises(IngestError, match="column 'lesson' is missing"):
        translations.read_sheet(db, data=_sheet([["pilot", "key", "language", "title"]]), filename="x.xlsx")
    with pytest.raises(IngestError, match="not an XLSX"):
        translations.read_sheet(db, data=b"a,b", filename="x.csv")


def test_a_coordinator_cannot_import_translations_of_another_pilots_lessons(db):
    data = _sheet([["pilot", "key", "language", "title", "lesson"], ["roma", "L1", "en", "Trust", "x"]])
    with pytest.raises(PermissionDenied):
        translations.import_sheet(db, Actor("cai", "coordinator", frozenset({2})), data=data, filename="en.xlsx")
    assert db["lesson_translations"].count == 0


def test_the_command_line_exports_imports_and_lists_what_is_left(tmp_path, capsys):
    path = tmp_path / "lessons.db"
    db = open_store(path)
    pilot = db["pilots"].insert({"slug": "roma", "name": "Roma", "country": "IT"}).last_pk
    db["lessons"].insert({"pilot_id": pilot, "key": "L1", "title": "Fiducia", "lesson": "x", "kind": "insight",
                          "language": "it"})  # fmt: skip
    db.close()
    assert main(["translations", "todo", "--lang", "fi", "--db", str(path)]) == 0
    assert "roma:L1" in capsys.readouterr().out
    book = tmp_path / "fi.xlsx"
    assert main(["translations", "export", "--lang", "fi", str(book), "--db", str(path)]) == 0
    workbook = load_workbook(book)
    workbook.active.cell(row=2, column=9, value="Luottamus")
    workbook.active.cell(row=2, column=10, value="Yhteisöt")
    workbook.save(book)
    assert main(["translations", "import", str(book), "--db", str(path)]) == 0
    assert "1 translation(s) written" in capsys.readouterr().out
    assert main(["translations", "todo", "--lang", "fi", "--db", str(path)]) == 0
    assert "Every lesson is written in or translated into fi." in capsys.readouterr().out
    workbook.active.cell(row=2, column=3, value="it")
    workbook.save(book)
    assert main(["translations", "import", str(book), "--db", str(path)]) == 2
    assert "Nothing was imported. 1 problem(s):\nfi.xlsx, row 2, column language" in capsys.readouterr().err


def test_what_recurs_compares_lessons_in_english_through_their_translations_and_says_which_are_left_out(db):
    oulu, rome = lesson_id(db, "oulu"), lesson_id(db, "roma")
    texts = synthesis.lesson_texts(db)
    assert texts["id"].tolist() == [oulu]  # the Italian lesson has no English text yet
    assert synthesis.left_out_of_comparison(db)[["id", "language"]].values.tolist() == [[rome, "it"]]
    translations.set_translation(db, ADMIN, rome, "en", title="Trust", lesson="Local champions built trust together")
    texts = synthesis.lesson_texts(db).set_index("id")["text"]
    assert texts[rome] == "Trust. Local champions built trust together "
    assert synthesis.left_out_of_comparison(db).empty
    sim = synthesis.build_similarity(synthesis.lesson_texts(db))
    assert sim.labels(0.3).tolist() == [0, 0]  # compared in English: alike
