"""The catalogue of methods and tools (#20): INTERLINK's catalogue as it ships, spreadsheets, links, permissions."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import zipfile

import pytest
from openpyxl import Workbook

from lessons import catalogue
from lessons.bundle import data_package_zip, import_bundle
from lessons.cli import EXIT_INVALID, EXIT_OK, main
from lessons.ingest.problems import IngestError
from lessons.permissions import Actor, PermissionDenied
from lessons.queries import facets, search_lessons
from lessons.store import open_memory_store, open_store
from tests.realdata import REALDATA, needs_realdata

INTERLINK = REALDATA / "interlink-catalogue"
ADMIN, EDITOR, VIEWER = Actor("ada", "admin"), Actor("ed", "editor"), Actor("vic", "viewer")
TAG = re.compile(r"<[a-zA-Z/!][^>]*>")
ENTITY = re.compile(r"&(#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);")
BUILT_IN = 12


def snapshot(db) -> dict:
    tables = ["catalogue_entries", "catalogue_problems", "catalogue_translations", "catalogue_problem_translations",
              "catalogue_entry_problems", "lesson_methods", "pilot_methods", "audit_log"]  # fmt: skip
    return {t: db.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall() for t in tables}


def stored_texts(db) -> list[str]:
    texts = []
    for table, columns in {
        "catalogue_entries": ("name", "description", "problem"),
        "catalogue_problems": ("name", "description"),
        "catalogue_translations": ("text",),
        "catalogue_problem_translations": ("text",),
    }.items():
        for column in columns:
            texts += [r[0] for r in db.execute(f"SELECT {column} FROM {table}") if r[0]]
    return texts


def add_lesson(db, slug="alpha", key="L01", status="validated", kind="enabler"):
    row = db.execute("SELECT id FROM pilots WHERE slug = ?", [slug]).fetchone()
    pilot = row[0] if row else db["pilots"].insert({"slug": slug, "name": slug.title(), "country": "FI"}).last_pk
    return (
        db["lessons"]
        .insert(
            {"pilot_id": pilot, "key": key, "title": f"{slug} {key}", "lesson": "x", "kind": kind, "status": status}
        )
        .last_pk
    )


# --- the built-in entries ---------------------------------------------------------------------------------


def test_a_new_store_has_the_built_in_entries_each_with_its_source(db):
    rows = catalogue.entry_list(db)
    assert len(rows) == BUILT_IN
    assert {"citizens-jury", "participatory-budgeting", "deliberative-poll", "world-cafe", "living-lab",
            "improve-living-lab", "wenovate"} <= set(rows["code"])  # fmt: skip
    assert list(catalogue.entry_list(db, kinds=["stage"])["code"]) == [f"wenovate-{n}" for n in (
        "1-join", "2-submit", "3-select", "4-design", "5-implement")]  # fmt: skip
    assert all(source for (source,) in db.execute("SELECT source FROM catalogue_entries"))
    links = dict(db.execute("SELECT code, link FROM catalogue_entries WHERE kind = 'method'").fetchall())
    assert all(link.startswith("https://participedia.net/") for link in links.values())


# --- INTERLINK's catalogue as it ships --------------------------------------------------------------------


@needs_realdata
def test_interlink_catalogue_imports_through_the_command_line(tmp_path, capsys):
    path = tmp_path / "c.db"
    assert main(["catalogue", "import", str(INTERLINK), "--db", str(path)]) == EXIT_OK
    out = capsys.readouterr().out
    assert "78 entries added, 0 updated, 0 unchanged; 45 problem profiles added" in out
    db = open_store(path)
    assert db.execute("SELECT count(*) FROM catalogue_entries WHERE catalogue = 'interlink'").fetchone() == (78,)
    assert db.execute("SELECT count(*) FROM catalogue_problems").fetchone() == (45,)
    names = dict(
        db.execute(
            "SELECT language, count(*) FROM catalogue_translations WHERE field = 'name' GROUP BY language"
        ).fetchall()
    )
    # PROVENANCE.md counts 70 Spanish and Latvian names: one interlinker (the English registration tutorial) has
    # them as empty strings, which are not texts and are not kept.
    assert names == {"en": 78, "it": 78, "es": 69, "lv": 69}
    keys = {}
    for metadata in INTERLINK.glob("interlinkers/*/*/metadata.json"):
        for language in json.loads(metadata.read_text(encoding="utf-8"))["name_translations"]:
            keys[language] = keys.get(language, 0) + 1
    assert keys == {"en": 78, "it": 78, "es": 70, "lv": 70}  # PROVENANCE.md's counts, empty strings included
    kinds = dict(db.execute("SELECT kind, count(*) FROM catalogue_entries WHERE catalogue = 'interlink' GROUP BY kind"))
    assert kinds == {"knowledge": 58, "software": 20}
    assert db.execute("SELECT count(*) FROM catalogue_entry_problems").fetchone()[0] > 78
    texts = stored_texts(db)
    assert [t for t in texts if TAG.search(t) or ENTITY.search(t)] == []
    augmenter = catalogue.entry_detail(db, "augmenter")
    assert augmenter["description"].startswith("Augmenter is an Open Source application")
    assert "\n\n• create and improve public service descriptions" in augmenter["description"]
    assert {lang for lang, field, _ in augmenter["translations"] if field == "description"} == {"en", "es", "it", "lv"}
    assert augmenter["effort"] == "low" and augmenter["licence"] == "copyleft" and augmenter["kind"] == "software"
    assert "1e2d2043de6e" in augmenter["source"] and augmenter["problems"]
    audit = db.execute("SELECT action, object_id, rows FROM audit_log WHERE action LIKE 'catalogue.%'").fetchall()
    assert audit == [("catalogue.import", "interlink", 78 + 45)]
    before = snapshot(db)
    db.close()

    assert main(["catalogue", "import", str(INTERLINK), "--db", str(path)]) == EXIT_OK
    assert "0 entries added, 0 updated, 78 unchanged" in capsys.readouterr().out
    db = open_store(path)
    again = snapshot(db)
    assert {t: rows for t, rows in again.items() if t != "audit_log"} == {
        t: rows for t, rows in before.items() if t != "audit_log"
    }
    assert len(again["audit_log"]) == len(before["audit_log"]) + 1
    db.close()


@needs_realdata
def test_a_changed_interlinker_is_updated_not_duplicated(db, tmp_path):
    folder = tmp_path / "interlink-catalogue"
    shutil.copytree(INTERLINK, folder)
    catalogue.import_interlink(db, EDITOR, folder)
    metadata = folder / "interlinkers" / "software" / "augmenter" / "metadata.json"
    metadata.chmod(0o644)
    data = json.loads(metadata.read_text())
    data["name_translations"]["en"] = "Augmenter <b>2</b> &amp; more"
    data["difficulty"] = "difficult"
    metadata.write_text(json.dumps(data))
    counts = catalogue.import_interlink(db, EDITOR, folder)
    assert (counts["entries_added"], counts["entries_updated"], counts["entries_unchanged"]) == (0, 1, 77)
    assert db.execute("SELECT name, effort FROM catalogue_entries WHERE code = 'augmenter'").fetchall() == [
        ("Augmenter 2 & more", "high")
    ]
    assert db.execute("SELECT count(*) FROM catalogue_entries").fetchone() == (78 + BUILT_IN,)


@needs_realdata
@pytest.mark.parametrize("damage", ["missing", "not_catalogue", "bad_json", "unknown_problem"])
def test_a_bad_folder_is_refused_naming_the_file_and_nothing_is_written(db, tmp_path, damage):
    folder = tmp_path / "interlink-catalogue"
    if damage == "missing":
        folder = tmp_path / "nowhere"
        expected = "nowhere: There is no such folder."
    elif damage == "not_catalogue":
        folder.mkdir()
        (folder / "readme.txt").write_text("hello")
        expected = "interlink-catalogue/interlinkers: This folder is missing"
    else:
        shutil.copytree(INTERLINK, folder)
        metadata = folder / "interlinkers" / "knowledge" / "Business-Model-Canvas" / "metadata.json"
        metadata.chmod(0o644)
        if damage == "bad_json":
            metadata.write_text('{"id": "business_model_canvas", "name_translations": {"en": "BMC"},,}')
            expected = "interlink-catalogue/interlinkers/knowledge/Business-Model-Canvas/metadata.json, row 1: This file is not valid JSON"
        else:
            data = json.loads(metadata.read_text())
            data["problemprofiles"] = ["NO_SUCH_PROBLEM"]
            metadata.write_text(json.dumps(data))
            expected = "Business-Model-Canvas/metadata.json: It names problem profiles the catalogue does not have: NO_SUCH_PROBLEM."
    before = snapshot(db)
    with pytest.raises(IngestError) as refused:
        catalogue.import_interlink(db, ADMIN, folder)
    assert len(refused.value.problems) == 1
    assert expected in str(refused.value)
    assert snapshot(db) == before


def test_the_command_line_refuses_a_missing_folder_in_one_line(tmp_path, capsys):
    path = tmp_path / "c.db"
    assert main(["catalogue", "import", str(tmp_path / "nope"), "--db", str(path)]) == EXIT_INVALID
    err = capsys.readouterr().err
    assert err.startswith("Nothing was imported. 1 problem(s):\n") and "nope: There is no such folder." in err


@needs_realdata
def test_only_administrators_and_editors_import(db):
    before = snapshot(db)
    for actor in (VIEWER, Actor("cora", "coordinator", frozenset({1})), Actor("fay", "facilitator"), None):
        with pytest.raises(PermissionDenied):
            catalogue.import_interlink(db, actor, INTERLINK)
    assert snapshot(db) == before
    assert catalogue.import_interlink(db, EDITOR, INTERLINK)["entries_added"] == 78


# --- a spreadsheet ----------------------------------------------------------------------------------------

GOOD = """code,name,kind,source,description,problem,phase,effort,link,language,name_es,description_es
fishbowl,Fishbowl,method,Our facilitators' notes,"An inner circle talks, an outer circle listens.",A debate among a few,Understand needs,Low,https://example.org/fishbowl,en,Pecera,"Un círculo habla."
world-cafe,World café,Method,Our notes (replacing the built-in text),Tables and rounds.,,understand,low,,en,,
"""


def test_a_spreadsheet_adds_and_updates_entries(db, tmp_path):
    sheet = tmp_path / "methods.csv"
    sheet.write_text(GOOD, encoding="utf-8")
    counts = catalogue.import_sheet(db, EDITOR, sheet)
    assert (counts["entries_added"], counts["entries_updated"]) == (1, 1)
    fishbowl = catalogue.entry_detail(db, "fishbowl")
    assert (fishbowl["phase"], fishbowl["effort"], fishbowl["catalogue"], fishbowl["problem"]) == (
        "understand", "low", "methods.csv", "A debate among a few",
    )  # fmt: skip
    assert ("es", "name", "Pecera") in fishbowl["translations"]
    assert catalogue.entry_detail(db, "world-cafe")["description"] == "Tables and rounds."
    assert catalogue.import_sheet(db, EDITOR, sheet)["entries_unchanged"] == 2
    assert db.execute("SELECT count(*) FROM catalogue_entries").fetchone() == (BUILT_IN + 1,)
    assert db.execute("SELECT action, object_id FROM audit_log").fetchall() == [("catalogue.import", "methods.csv")] * 2


def test_an_xlsx_spreadsheet_is_read_like_a_csv(db, tmp_path):
    book = Workbook()
    book.active.append(["Code", "Name", "Kind", "Source", "Phase"])
    book.active.append(["hackathon", "Hackathon", "method", "Our notes", "co-design"])
    book.save(tmp_path / "methods.xlsx")
    assert catalogue.import_sheet(db, ADMIN, tmp_path / "methods.xlsx")["entries_added"] == 1
    assert catalogue.entry_detail(db, "hackathon")["phase"] == "co-design"


def test_bad_rows_are_all_reported_with_file_row_column_and_fix_and_nothing_is_written(db, tmp_path):
    sheet = tmp_path / "bad.csv"
    sheet.write_text(
        "code,name,kind,source,phase,effort,link,problems\n"
        "ok,Fine,method,Notes,,,,\n"
        ",No code,method,Notes,,,,\n"
        "two words,Bad code,method,Notes,,,,\n"
        "ok,Twice,method,Notes,,,,\n"
        "k1,,gadget,,somewhere,huge,javascript:alert(1),NO_SUCH\n",
        encoding="utf-8",
    )
    before = snapshot(db)
    with pytest.raises(IngestError) as refused:
        catalogue.import_sheet(db, ADMIN, sheet)
    found = {(p.row, p.column) for p in refused.value.problems}
    assert found == {(3, "code"), (4, "code"), (5, "code"), (6, "name"), (6, "kind"), (6, "source"), (6, "phase"),
                     (6, "effort"), (6, "link"), (6, "problems")}  # fmt: skip
    assert all(p.file == "bad.csv" and p.fix for p in refused.value.problems)
    assert "bad.csv, row 5, column code: The code 'ok' is already on row 2." in str(refused.value)
    assert snapshot(db) == before


def test_a_spreadsheet_without_the_required_columns_or_with_unknown_ones_is_refused(db, tmp_path):
    sheet = tmp_path / "odd.csv"
    sheet.write_text("code,title,colour\nx,X,red\n", encoding="utf-8")
    with pytest.raises(IngestError) as refused:
        catalogue.import_sheet(db, ADMIN, sheet)
    text = str(refused.value)
    assert "odd.csv, column title: 'title' is not a column of the catalogue." in text
    assert "odd.csv, column name: The column 'name' is missing." in text
    with pytest.raises(IngestError, match="This is not a CSV or XLSX file"):
        catalogue.import_sheet(db, ADMIN, tmp_path / "notes.txt")


def test_a_viewer_may_not_import_a_spreadsheet(db, tmp_path):
    sheet = tmp_path / "methods.csv"
    sheet.write_text(GOOD, encoding="utf-8")
    with pytest.raises(PermissionDenied, match="A viewer may not change the catalogue of methods and tools."):
        catalogue.import_sheet(db, VIEWER, sheet)
    assert catalogue.entry_detail(db, "fishbowl") is None


# --- lessons and pilots that used an entry ----------------------------------------------------------------


def test_linking_lessons_shows_how_it_went_and_filters_lessons_by_method(db):
    a = add_lesson(db, "alpha", "L01", "validated", "enabler")
    b = add_lesson(db, "alpha", "L02", "draft", "barrier")
    c = add_lesson(db, "beta", "L01", "endorsed", "enabler")
    ids = catalogue.resolve_lessons(db, ["alpha:L01", "alpha:L02", str(c)])
    assert ids == [a, b, c]
    assert catalogue.link_lessons(db, EDITOR, ids, "world-cafe") == 3
    assert catalogue.link_lessons(db, EDITOR, ids, "world-cafe") == 0  # twice: no duplicate
    catalogue.link_pilots(
        db, ADMIN, [db.execute("SELECT id FROM pilots WHERE slug = 'beta'").fetchone()[0]], "world-cafe"
    )
    detail = catalogue.entry_detail(db, "world-cafe")
    assert list(detail["lessons"]["linked_by"]) == ["ed", "ed", "ed"]
    assert dict(zip(detail["kinds"]["label"], detail["kinds"]["lessons"]))["Enabler"] == 2
    assert dict(zip(detail["statuses"]["label"], detail["statuses"]["lessons"]))["Draft"] == 1
    assert detail["validated"] == 2 and list(detail["pilots"]["slug"]) == ["beta"]
    assert catalogue.entry_list(db, uses=["lessons"])["code"].tolist() == ["world-cafe"]
    assert sorted(search_lessons(db, methods=["world-cafe"])["id"]) == [a, b, c]
    assert sorted(search_lessons(db, methods=["world-cafe"], kinds=["enabler"])["id"]) == [a, c]
    counts = facets(db, kinds=["barrier"])["methods"]
    assert counts.to_dict("records") == [{"value": "world-cafe", "label": "World café", "lessons": 1}]
    assert catalogue.link_lessons(db, EDITOR, [b], "world-cafe", unlink=True) == 1
    assert [r[0] for r in db.execute("SELECT action FROM audit_log ORDER BY id")] == [
        "catalogue.link", "catalogue.link", "catalogue.link", "catalogue.unlink",
    ]  # fmt: skip


def test_who_may_link_lessons(db):
    lesson = add_lesson(db, "alpha")
    pilot = db.execute("SELECT pilot_id FROM lessons WHERE id = ?", [lesson]).fetchone()[0]
    with pytest.raises(PermissionDenied):
        catalogue.link_lessons(db, VIEWER, [lesson], "world-cafe")
    with pytest.raises(PermissionDenied, match="You coordinate other pilots"):
        catalogue.link_lessons(db, Actor("cora", "coordinator", frozenset({pilot + 1})), [lesson], "world-cafe")
    assert catalogue.link_lessons(db, Actor("cora", "coordinator", frozenset({pilot})), [lesson], "world-cafe") == 1
    with pytest.raises(catalogue.CatalogueError, match="There is no entry 'nothing'"):
        catalogue.link_lessons(db, ADMIN, [lesson], "nothing")
    with pytest.raises(catalogue.CatalogueError, match="No lesson zeta:L9"):
        catalogue.resolve_lessons(db, ["zeta:L9"])


def test_link_and_list_through_the_command_line(tmp_path, capsys):
    path = tmp_path / "c.db"
    db = open_store(path)
    add_lesson(db, "alpha", "L01")
    db.close()
    assert main(["catalogue", "link", "alpha:L01", "--entry", "citizens-jury", "--db", str(path)]) == EXIT_OK
    assert "Linked 1 lesson(s) to citizens-jury" in capsys.readouterr().out
    assert main(["catalogue", "link", "alpha:L01", "--entry", "nope", "--db", str(path)]) == EXIT_INVALID
    assert "There is no entry 'nope'" in capsys.readouterr().err
    assert main(["catalogue", "list", "--json", "--kind", "method", "--db", str(path)]) == EXIT_OK
    listed = json.loads(capsys.readouterr().out)
    assert [e["code"] for e in listed] == ["citizens-jury", "deliberative-poll", "living-lab",
                                           "participatory-budgeting", "world-cafe"]  # fmt: skip
    jury = listed[0]
    assert jury["lessons"] == ["alpha:L01"] and jury["phase"] == "co-design" and jury["effort"] == "high"
    assert jury["link"].startswith("https://participedia.net/") and jury["source"].startswith("Participedia")
    assert main(["catalogue", "list", "--phase", "co-deliver", "--db", str(path)]) == EXIT_OK
    out = capsys.readouterr().out
    assert "wenovate-5-implement" in out and out.rstrip().endswith("1 entries.")


def test_catalogue_import_help_documents_the_spreadsheet_columns(capsys):
    with pytest.raises(SystemExit):
        main(["catalogue", "import", "--help"])
    out = capsys.readouterr().out
    for column in catalogue.COLUMNS:
        assert f"  {column} " in out


def test_the_bundle_carries_the_catalogue_without_who_linked_and_reads_back(db, tmp_path):
    lesson = add_lesson(db, "alpha", "L01")
    sheet = tmp_path / "methods.csv"
    sheet.write_text(GOOD, encoding="utf-8")
    catalogue.import_sheet(db, EDITOR, sheet)
    catalogue.link_lessons(db, EDITOR, [lesson], "fishbowl")
    payload = data_package_zip(db)
    with zipfile.ZipFile(io.BytesIO(payload)) as archive:
        name = next(n for n in archive.namelist() if n.endswith("lesson_methods.csv"))
        rows = list(csv.DictReader(io.StringIO(archive.read(name).decode("utf-8"))))
    assert [(r["lesson_id"], r["linked_by"]) for r in rows] == [(str(lesson), "")]
    fresh = open_memory_store()
    import_bundle(fresh, ADMIN, payload)
    assert catalogue.entry_detail(fresh, "fishbowl")["lessons"]["title"].tolist() == ["alpha L01"]
    assert fresh.execute("SELECT count(*) FROM catalogue_entries").fetchone() == (BUILT_IN + 1,)
