"""The template's model sheets (Models, Model elements, Lesson links) through the user's path: the real template
workbook filled in, then ``python -m lessons import``, the preview, commit, revision and undo; hostile rows refused
with the row and column named and nothing written."""

from __future__ import annotations

import io
import json

import pytest
from openpyxl import load_workbook

from lessons import model_authoring as authoring
from lessons import workshops
from lessons.accounts import actor_for, add_user
from lessons.cli import EXIT_INVALID, EXIT_OK, main
from lessons.ingest.changes import UndoError, undo_upload
from lessons.ingest.pipeline import check, run_import
from lessons.ingest.problems import IngestError
from lessons.ingest.template import build_template
from lessons.ingest.validate import Options
from lessons.permissions import PermissionDenied, cli_actor
from lessons.store import open_store
from lessons.vocabularies import retire_theme

ADMIN = cli_actor()
LESSONS = [
    {"key": "L01", "title": "Librarians as champions", "lesson": "Librarians brought older residents in.", "kind": "enabler"},
    {"key": "L02", "title": "Online forms excluded people", "lesson": "Forms needed a bank ID.", "kind": "barrier"},
]  # fmt: skip
MODEL = [{"slug": "local-champions", "name": "Local champions", "description": "Work through trusted people."}]
ELEMENTS = [
    {"model": "local-champions", "number": 1, "title": "Find the champions", "kind": "step"},
    {"model": "local-champions", "number": 2, "title": "Share decisions", "kind": "principle"},
    {"model": "local-champions", "number": 3, "title": "Tell people what became of their ideas"},
]
LINKS = [
    {
        "model": "local-champions",
        "element": 1,
        "pilot": "oulu-libraries",
        "lesson": "L01",
        "stance": "supports",
        "note": "Librarians did it",
    },
    {"model": "local-champions", "element": 3, "pilot": "Library help desks", "lesson": "L02", "stance": "challenges"},
]


def workbook(db, *, pilot="oulu-libraries", lessons=(), models=(), elements=(), links=()) -> bytes:
    """The real template, filled in sheet by sheet by column name, as a user would."""
    book = load_workbook(io.BytesIO(build_template(db)))
    if pilot:
        facts = {"slug": pilot, "name": "Library help desks", "country": "FI"}
        for row in range(2, book["Pilot"].max_row + 1):
            if book["Pilot"].cell(row, 1).value in facts:
                book["Pilot"].cell(row, 2, facts[book["Pilot"].cell(row, 1).value])
    for name, rows in (("Lessons", lessons), ("Models", models), ("Model elements", elements), ("Lesson links", links)):
        header = [c.value for c in book[name][1]]
        for values in rows:
            book[name].append([values.get(h) for h in header])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def path(tmp_path):
    path = tmp_path / "lessons.db"
    with open_store(path) as db:
        run_import(db, ADMIN, [("pilot.xlsx", workbook(db, lessons=LESSONS))])
        db["pilots"].insert({"slug": "other", "name": "Other pilot", "country": "PT"})
        other = db.execute("SELECT id FROM pilots WHERE slug = 'other'").fetchone()[0]
        db["lessons"].insert({"pilot_id": other, "key": "L01", "title": "Elsewhere", "lesson": "x", "kind": "insight"})
        add_user(db, ADMIN, "cora", "a long enough secret", role="coordinator", pilots=["oulu-libraries"])
        add_user(db, ADMIN, "eddie", "a long enough secret", role="editor")
    return path


def user(db, name):
    return actor_for(db, db.execute("SELECT id FROM users WHERE username = ?", [name]).fetchone()[0])


def cli(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def save(tmp_path, data: bytes, name="summary.xlsx"):
    (tmp_path / name).write_bytes(data)
    return tmp_path / name


def shown(capsys, path) -> dict:
    code, out, _ = cli(capsys, "model", "show", "local-champions", "--json", "--db", path)
    assert code == EXIT_OK
    return json.loads(out)


def table(path, sql, params=()):
    with open_store(path) as db:
        return db.execute(sql, params).fetchall()


def test_the_template_offers_the_model_sheets_with_drop_downs_and_no_retired_theme(path):
    with open_store(path) as db:
        retire_theme(db, ADMIN, "legal")
        book = load_workbook(io.BytesIO(build_template(db)))
    assert book.sheetnames[-3:] == ["Models", "Model elements", "Lesson links"]
    assert [c.value for c in book["Model elements"][1]] == ["model", "number", "key", "title", "kind", "description"]
    assert [c.value for c in book["Lesson links"][1]] == ["model", "element", "pilot", "lesson", "stance", "note"]
    lists = {c[0].value: [x.value for x in c[1:] if x.value] for c in book["Lists"].iter_cols()}
    assert lists["stances"] == ["supports", "challenges"] and lists["element_kinds"] == ["principle", "step"]
    assert "legal" not in lists["themes"] and "trust" in lists["themes"]
    formulas = {v.formula1 for v in book["Lesson links"].data_validations.dataValidation}
    assert any("Lists!" in f for f in formulas)


def test_an_administrator_authors_a_model_links_lessons_and_undoes_it_all(path, tmp_path, capsys):
    with open_store(path) as db:
        data = workbook(db, pilot=None, models=MODEL, elements=ELEMENTS, links=LINKS)
    code, out, err = cli(capsys, "import", save(tmp_path, data), "--db", path)
    assert code == EXIT_OK, err
    assert "models" in out and "model elements" in out and "lesson links" in out
    model = shown(capsys, path)
    assert model["version"] == 1
    assert [(e["number"], e["key"], e["name"], e["kind"]) for e in model["elements"]] == [
        (1, "E1", "Find the champions", "step"),
        (2, "E2", "Share decisions", "principle"),
        (3, "E3", "Tell people what became of their ideas", "principle"),
    ]
    links = {e["key"]: [(x["title"], x["stance"]) for x in e["lessons"]] for e in model["elements"]}
    assert links == {
        "E1": [("Librarians as champions", "supports")], "E2": [], "E3": [("Online forms excluded people", "challenges")],
    }  # fmt: skip
    assert model["elements"][0]["lessons"][0]["note"] == "Librarians did it"
    upload = table(path, "SELECT id, rows_added FROM uploads ORDER BY id DESC LIMIT 1")[0]
    assert upload[1] == 6  # a model, three elements, two links
    code, _, err = cli(capsys, "uploads", "undo", upload[0], "--db", path)
    assert code == EXIT_OK, err
    assert table(path, "SELECT count(*) FROM governance_models")[0][0] == 0
    assert table(path, "SELECT count(*) FROM model_elements")[0][0] == 0
    assert table(path, "SELECT count(*) FROM lesson_elements")[0][0] == 0
    assert table(path, "SELECT count(*) FROM model_versions")[0][0] == 0


def test_one_upload_brings_a_new_pilots_lessons_and_the_links_to_them(tmp_path, capsys):
    path = tmp_path / "fresh.db"
    with open_store(path) as db:
        data = workbook(db, lessons=LESSONS, models=MODEL, elements=ELEMENTS, links=LINKS)
    assert cli(capsys, "import", save(tmp_path, data), "--db", path)[0] == EXIT_OK
    assert table(path, "SELECT count(*) FROM lesson_elements WHERE status = 'accepted'")[0][0] == 2


def test_a_revision_renumbers_by_key_edits_in_place_and_removes_when_asked(path, tmp_path, capsys):
    with open_store(path) as db:
        run_import(db, ADMIN, [("v1.xlsx", workbook(db, pilot=None, models=MODEL, elements=ELEMENTS, links=LINKS))])
        revised = [
            {"model": "local-champions", "number": 1, "key": "E3", "title": "Close the loop"},
            {"model": "local-champions", "number": 2, "key": "E1", "title": "Find the champions", "kind": "step"},
        ]
        plan = check(db, ADMIN, [("v2.xlsx", workbook(db, pilot=None, elements=revised))]).plan
        changes = {(c.table, c.key[0]): c for c in plan.changes}
        assert changes["model elements", "E3"].fields == ["name", "position"]
        assert changes["model elements", "E1"].fields == ["position"]
        assert changes["model elements", "E2"].fields == ["position"]  # kept, after the listed ones
        run_import(db, ADMIN, [("v2.xlsx", workbook(db, pilot=None, elements=revised))])
    model = shown(capsys, path)
    assert [(e["key"], e["name"]) for e in model["elements"]] == [
        ("E3", "Close the loop"), ("E1", "Find the champions"), ("E2", "Share decisions"),
    ]  # fmt: skip
    assert [x["stance"] for x in model["elements"][0]["lessons"]] == ["challenges"]  # the link followed its element
    with open_store(path) as db:
        options = Options(remove_missing=True)
        plan = check(db, ADMIN, [("v3.xlsx", workbook(db, pilot=None, elements=revised))], options).plan
        assert [(c.key[0], c.op) for c in plan.changes] == [("E2", "delete")]
        run_import(db, ADMIN, [("v3.xlsx", workbook(db, pilot=None, elements=revised))], options)
    assert [e["key"] for e in shown(capsys, path)["elements"]] == ["E3", "E1"]


def test_editing_a_voted_model_by_upload_makes_a_new_version_and_the_votes_keep_theirs(path):
    with open_store(path) as db:
        run_import(db, ADMIN, [("v1.xlsx", workbook(db, pilot=None, models=MODEL, elements=ELEMENTS))])
        element = authoring.element_id_of(db, "local-champions", 2)
        code = workshops.create_workshop(db, ADMIN, "Check the model")
        [key] = workshops.add_statements(db, ADMIN, code, elements=[element])
        workshops.open_workshop(db, ADMIN, code)
        token = workshops.join(db, code, stakeholder_group="public")
        workshops.cast_vote(db, token, key, "agree")
        statement = db.execute("SELECT id FROM statements WHERE element_id = ?", [element]).fetchone()[0]
        edited = [{"model": "local-champions", "number": 2, "key": "E2", "title": "Share every decision"}]
        run_import(db, ADMIN, [("v2.xlsx", workbook(db, pilot=None, elements=edited))])
        assert authoring.model_row(db, "local-champions")["version"] == 2
        voted = db.execute(
            "SELECT e.name, e.version FROM statements s JOIN model_elements e ON e.id = s.element_id WHERE s.id = ?",
            [statement],
        ).fetchone()
        assert voted == ("Share decisions", 1)
        assert [e["name"] for e in authoring.current_elements(db, "local-champions")][1] == "Share every decision"
        upload_id = db.execute("SELECT max(id) FROM uploads").fetchone()[0]
        undo_upload(db, ADMIN, upload_id)  # nothing voted on was changed by it: the new version goes
        assert authoring.model_row(db, "local-champions")["version"] == 1
        first = db.execute("SELECT max(id) FROM uploads WHERE status = 'applied'").fetchone()[0]
        with pytest.raises(UndoError, match="workshop 'Check the model' uses elements"):
            undo_upload(db, ADMIN, first)


def problems_of(path, tmp_path, capsys, data, *argv) -> str:
    before = table(path, "SELECT (SELECT count(*) FROM governance_models), (SELECT count(*) FROM lesson_elements)")
    code, out, err = cli(capsys, "import", save(tmp_path, data), "--db", path, *argv)
    assert code == EXIT_INVALID, out
    assert "nothing was written" in err
    after = table(path, "SELECT (SELECT count(*) FROM governance_models), (SELECT count(*) FROM lesson_elements)")
    assert after == before
    return err


def test_hostile_rows_are_refused_with_the_row_and_column_named(path, tmp_path, capsys):
    with open_store(path) as db:
        data = workbook(
            db,
            pilot=None,
            models=[*MODEL, {"slug": "Bad Name!", "name": "x"}],
            elements=[
                *ELEMENTS,
                {"model": "local-champions", "number": 2, "title": "A second number two"},
                {"model": "local-champions", "number": 2.5, "title": "Half"},
                {"model": "nowhere", "number": 1, "title": "Orphan"},
            ],
            links=[
                {
                    "model": "local-champions",
                    "element": 7,
                    "pilot": "oulu-libraries",
                    "lesson": "L01",
                    "stance": "supports",
                },
                {
                    "model": "local-champions",
                    "element": 1,
                    "pilot": "oulu-libraries",
                    "lesson": "L99",
                    "stance": "supports",
                },
                {
                    "model": "local-champions",
                    "element": 1,
                    "pilot": "oulu-libraries",
                    "lesson": "L01",
                    "stance": "maybe",
                },
            ],
        )
    err = problems_of(path, tmp_path, capsys, data)
    assert "sheet Models, row 3, column slug: 'Bad Name!' cannot be a model's short name." in err
    assert "Element number 2 of model 'local-champions' is given twice (rows 3 and 5)." in err
    assert "sheet Model elements, row 6, column number: The number must be a whole number" in err
    assert "There is no governance model 'nowhere'." in err
    assert (
        "sheet Lesson links, row 2, column element: Model 'local-champions' has no element number 7 (it has 3)." in err
    )
    assert "Pilot 'oulu-libraries' has no lesson 'L99'." in err
    assert "'maybe' is not a stance." in err


def test_an_unknown_element_key_is_refused(path, tmp_path, capsys):
    with open_store(path) as db:
        run_import(db, ADMIN, [("v1.xlsx", workbook(db, pilot=None, models=MODEL, elements=ELEMENTS))])
        data = workbook(db, pilot=None, elements=[{"model": "local-champions", "number": 1, "key": "E9", "title": "x"}])
    err = problems_of(path, tmp_path, capsys, data)
    assert "Model 'local-champions' has no element E9 (its elements: E1, E2, E3)." in err


def test_a_coordinator_proposes_links_for_their_own_lessons_only(path, tmp_path, capsys):
    with open_store(path) as db:
        run_import(db, ADMIN, [("v1.xlsx", workbook(db, pilot=None, models=MODEL, elements=ELEMENTS))])
        foreign = workbook(db, pilot=None, links=[{**LINKS[0], "pilot": "other"}])
        own = workbook(db, pilot=None, links=[{**LINKS[0], "pilot": "oulu-libraries"}])
    err = problems_of(path, tmp_path, capsys, foreign, "--as", "cora")
    assert "sheet Lesson links, row 2, column pilot: You may not link lessons of the pilot 'other'." in err
    code, _, err = cli(capsys, "import", save(tmp_path, own), "--db", path, "--as", "cora")
    assert code == EXIT_OK, err
    assert "1 link will be a proposal" in err
    assert table(path, "SELECT status, proposed_by FROM lesson_elements") == [("proposed", "cora")]
    assert shown(capsys, path)["elements"][0]["lessons"] == []  # a proposal counts nowhere yet
    upload_id = table(path, "SELECT max(id) FROM uploads")[0][0]
    assert cli(capsys, "uploads", "undo", upload_id, "--db", path, "--as", "cora")[0] == EXIT_OK  # her own pilot
    assert table(path, "SELECT count(*) FROM lesson_elements")[0][0] == 0


def test_a_coordinators_models_sheet_is_refused_once_for_the_whole_sheet(path, tmp_path, capsys):
    with open_store(path) as db:
        data = workbook(db, pilot=None, models=MODEL, elements=ELEMENTS)
    err = problems_of(path, tmp_path, capsys, data, "--as", "cora")
    assert err.count("Only administrators and model editors author governance models") == 1
    assert "the Models and Model elements sheets are not read" in err


def test_an_editor_uploads_models_but_no_pilot_data_and_undoes_their_upload(path, tmp_path, capsys):
    with open_store(path) as db:
        models = workbook(db, pilot=None, models=MODEL, elements=ELEMENTS, links=LINKS)
        pilot = workbook(db, lessons=[{**LESSONS[0], "title": "Changed by an editor"}])
        eddie = user(db, "eddie")
        with pytest.raises(IngestError, match="You may not upload into the pilot 'oulu-libraries'"):
            run_import(db, eddie, [("pilot.xlsx", pilot)])
        outcome = run_import(db, eddie, [("models.xlsx", models)])
        cora = user(db, "cora")
        with pytest.raises(PermissionDenied, match="may not change governance models"):
            undo_upload(db, cora, outcome.upload_id)
        undo_upload(db, eddie, outcome.upload_id)
        assert db.execute("SELECT count(*) FROM governance_models").fetchone()[0] == 0


def test_undo_is_refused_once_the_model_changed_on_the_page(path):
    with open_store(path) as db:
        outcome = run_import(db, ADMIN, [("v1.xlsx", workbook(db, pilot=None, models=MODEL, elements=ELEMENTS))])
        authoring.add_element(db, ADMIN, "local-champions", "Added on the page")
        with pytest.raises(UndoError, match="was changed again afterwards"):
            undo_upload(db, ADMIN, outcome.upload_id)
        assert len(authoring.current_elements(db, "local-champions")) == 4


def test_model_sheets_as_csv_files_named_after_the_sheets(path, tmp_path, capsys):
    (tmp_path / "models.csv").write_text("slug,name\nopen-data,Open data first\n", encoding="utf-8")
    (tmp_path / "model_elements.csv").write_text(
        "model,number,title,kind\nopen-data,2,Publish the results,step\nopen-data,1,Ask first,steps\n", encoding="utf-8"
    )
    code, _, err = cli(capsys, "import", tmp_path / "models.csv", tmp_path / "model_elements.csv", "--db", path)
    assert code == EXIT_OK, err
    with open_store(path) as db:
        assert [(e["name"], e["kind"]) for e in authoring.current_elements(db, "open-data")] == [
            ("Ask first", "step"),
            ("Publish the results", "step"),
        ]


def test_uploading_the_same_model_workbook_again_changes_nothing(path):
    with open_store(path) as db:
        data = workbook(db, pilot=None, models=MODEL, elements=ELEMENTS, links=LINKS)
        run_import(db, ADMIN, [("v1.xlsx", data)])
        assert check(db, ADMIN, [("v1.xlsx", data)]).plan.changes == []
