"""Uploads end to end: template, reading, mapping, validation, preview, commit, revision, undo, roles, CLI."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from lessons.accounts import actor_for, add_user
from lessons.cli import EXIT_INVALID, EXIT_OK, main
from lessons.ingest.changes import UndoError, pilot_content_hash, undo_upload
from lessons.ingest.pipeline import check, rejected_rows, run_import
from lessons.ingest.problems import IngestError
from lessons.ingest.template import build_template
from lessons.ingest.validate import Options
from lessons.permissions import cli_actor
from lessons.store import open_store

FIXTURES = Path(__file__).resolve().parent / "fixtures"
ADMIN = cli_actor()


def filled_template(db, *, lessons=None, slug="oulu-libraries", country="Suomi") -> bytes:
    """The real template, filled in as a coordinator would."""
    workbook = load_workbook(io.BytesIO(build_template(db)))
    pilot = workbook["Pilot"]
    facts = {"slug": slug, "name": "Library help desks", "country": country, "city": "Oulu", "start_date": "1.3.2021"}
    for row in range(2, pilot.max_row + 1):
        if pilot.cell(row, 1).value in facts:
            pilot.cell(row, 2, facts[pilot.cell(row, 1).value])
    header = [c.value for c in workbook["Lessons"][1]]
    for values in lessons or [
        {"key": "L01", "title": "Librarians as champions", "lesson": "Librarians brought older residents in.", "kind": "enabler", "themes": "champions; Trust and relationships", "phase": "Co-design"},
        {"key": "L02", "title": "Online forms excluded people", "lesson": "Forms needed a bank ID.", "kind": "Barrier", "themes": "digital", "recorded_on": "2021-05-03"},
        {"key": "L03", "title": "Feedback kept people coming", "lesson": "We told people what happened to ideas.", "kind": "insight"},
    ]:  # fmt: skip
        workbook["Lessons"].append([values.get(h) for h in header])
    stakeholders = workbook["Stakeholders"]
    for row in (["", "S01", "Oulu City Library", "", "public"], ["", "S02", "Older residents", "", "citizens", "yes"]):
        stakeholders.append(row)
    workbook["Ties"].append(["", "S01", "S02", "collaboration", "no", 3, "end"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@pytest.fixture
def store(tmp_path):
    db = open_store(tmp_path / "store.db")
    yield db
    db.close()


def counts(db, slug):
    pid = db.execute("SELECT id FROM pilots WHERE slug = ?", [slug]).fetchone()
    if pid is None:
        return None
    return {
        t: db.execute(f"SELECT count(*) FROM {t} WHERE pilot_id = ?", [pid[0]]).fetchone()[0]
        for t in ("lessons", "stakeholders", "ties")
    }


def test_the_template_has_its_sheets_and_drop_downs(store):
    workbook = load_workbook(io.BytesIO(build_template(store)))
    assert workbook.sheetnames == [
        "Instructions", "Lists", "Pilot", "Lessons", "Stakeholders", "Ties", "Models", "Model elements", "Lesson links",
    ]  # fmt: skip
    assert [c.value for c in workbook["Lessons"][1]][:4] == ["pilot", "key", "title", "lesson"]
    assert workbook["Lessons"].data_validations.dataValidation
    assert workbook["Lists"].sheet_state == "hidden"


def test_a_filled_template_creates_the_pilot_and_undo_removes_it(store):
    outcome = run_import(store, ADMIN, [("summary.xlsx", filled_template(store))])
    assert counts(store, "oulu-libraries") == {"lessons": 3, "stakeholders": 2, "ties": 1}
    pilot = store.execute("SELECT country, start_date FROM pilots WHERE slug = 'oulu-libraries'").fetchone()
    assert pilot == ("FI", "2021-03-01")
    themes = store.execute(
        """SELECT t.code FROM lesson_themes lt JOIN themes t ON t.id = lt.theme_id JOIN lessons l ON l.id = lt.lesson_id
           WHERE l.key = 'L01' ORDER BY t.code"""
    ).fetchall()
    assert themes == [("champions",), ("trust",)]
    assert store.execute("SELECT kind, phase, status FROM lessons WHERE key = 'L02'").fetchone() == (
        "barrier",
        None,
        "submitted",
    )
    upload = store.execute(
        "SELECT filename, rows_added, status, checksum FROM uploads WHERE id = ?", [outcome.upload_id]
    ).fetchone()
    assert upload[:3] == ("summary.xlsx", 7, "applied") and len(upload[3]) == 64
    undo_upload(store, ADMIN, outcome.upload_id)
    assert counts(store, "oulu-libraries") is None


def test_a_revision_updates_in_place_and_undo_restores_the_pilot_exactly(store):
    run_import(store, ADMIN, [("v1.xlsx", filled_template(store))])
    pid = store.execute("SELECT id FROM pilots WHERE slug = 'oulu-libraries'").fetchone()[0]
    before = pilot_content_hash(store, pid)
    lesson_id = store.execute("SELECT id FROM lessons WHERE key = 'L01'").fetchone()[0]
    revised = filled_template(
        store,
        lessons=[
            {"key": "L01", "title": "Librarians as local champions", "lesson": "Librarians brought older residents in.", "kind": "enabler", "themes": "champions; trust", "phase": "co-design"},
            {"key": "L02", "title": "Online forms excluded people", "lesson": "Forms needed a bank ID.", "kind": "barrier", "themes": "digital", "recorded_on": "2021-05-03"},
            {"key": "L04", "title": "A new lesson", "lesson": "Something new.", "kind": "recommendation"},
        ],
    )  # fmt: skip
    assert [c.op for c in check(store, ADMIN, [("v2.xlsx", revised)]).plan.changes if c.op == "delete"] == []
    outcome = check(store, ADMIN, [("v2.xlsx", revised)], Options(remove_missing=True))
    changes = {(c.table, c.key, c.op): c.fields for c in outcome.plan.changes}
    assert changes == {
        ("lessons", ("L01",), "update"): ["title"],
        ("lessons", ("L04",), "insert"): [],
        ("lessons", ("L03",), "delete"): [],
    }
    done = run_import(store, ADMIN, [("v2.xlsx", revised)], Options(remove_missing=True))
    assert store.execute("SELECT id, title FROM lessons WHERE key = 'L01'").fetchone() == (
        lesson_id,
        "Librarians as local champions",
    )
    assert pilot_content_hash(store, pid) != before
    undo_upload(store, ADMIN, done.upload_id)
    assert pilot_content_hash(store, pid) == before


def test_uploading_the_same_file_again_changes_nothing(store):
    data = filled_template(store)
    run_import(store, ADMIN, [("v1.xlsx", data)])
    assert check(store, ADMIN, [("v1.xlsx", data)]).plan.changes == []


def test_an_older_upload_cannot_be_undone_before_a_later_one(store):
    first = run_import(store, ADMIN, [("v1.xlsx", filled_template(store))]).upload_id
    run_import(
        store,
        ADMIN,
        [("v2.xlsx", filled_template(store, lessons=[{"key": "L09", "title": "T", "lesson": "L", "kind": "insight"}]))],
    )
    with pytest.raises(UndoError, match="undo it first"):
        undo_upload(store, ADMIN, first)


def test_an_edit_after_the_upload_blocks_its_undo(store):
    from lessons.editing import update_lesson

    upload = run_import(store, ADMIN, [("v1.xlsx", filled_template(store))]).upload_id
    update_lesson(store, ADMIN, store.execute("SELECT id FROM lessons WHERE key = 'L01'").fetchone()[0], title="Edited")
    with pytest.raises(UndoError, match="edited after this upload"):
        undo_upload(store, ADMIN, upload)


def lessons_csv(rows: list[dict], columns=None) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns or list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def test_every_problem_is_reported_at_once_and_nothing_is_written(store):
    run_import(store, ADMIN, [("v1.xlsx", filled_template(store))])
    before = pilot_content_hash(store, 1)
    data = lessons_csv([
        {"key": "L10", "title": "", "lesson": "x", "kind": "enabeler", "recorded_on": "31.02.2021"},
        {"key": "L10", "title": "dup", "lesson": "x", "kind": "insight", "recorded_on": ""},
        {"key": "L11", "title": "ok", "lesson": "x", "kind": "insight", "recorded_on": "2021-13-01"},
    ])  # fmt: skip
    with pytest.raises(IngestError) as refused:
        run_import(store, ADMIN, [("lessons.csv", data)], Options(pilot="oulu-libraries"))
    where = {(p.row, p.column) for p in refused.value.problems}
    assert {(2, "title"), (2, "kind"), (2, "recorded_on"), (4, "recorded_on")} <= where
    assert any(p.row == 3 and "repeats row 2" in p.message for p in refused.value.problems)
    kind = next(p for p in refused.value.problems if p.column == "kind")
    assert "enabler" in kind.fix and kind.file == "lessons.csv" and kind.sheet == "Lessons"
    assert pilot_content_hash(store, 1) == before


def test_skip_invalid_imports_the_valid_rows_and_returns_the_rest_with_reasons(store):
    run_import(store, ADMIN, [("v1.xlsx", filled_template(store))])
    data = lessons_csv([
        {"key": "L20", "title": "Good", "lesson": "x", "kind": "insight"},
        {"key": "L21", "title": "Bad", "lesson": "x", "kind": "nonsense"},
    ])  # fmt: skip
    outcome = run_import(store, ADMIN, [("lessons.csv", data)], Options(pilot="oulu-libraries", skip_invalid=True))
    assert store.execute("SELECT key FROM lessons WHERE key IN ('L20', 'L21')").fetchall() == [("L20",)]
    rejected = rejected_rows(outcome.prepared)
    assert (
        list(rejected["key"]) == ["L21"]
        and "kind" in rejected["reason"][0].lower()
        or "nonsense" in rejected["reason"][0]
    )
    assert counts(store, "oulu-libraries")["lessons"] == 4  # nothing removed when rows were set aside


def test_a_coordinator_can_upload_only_into_their_own_pilots(store):
    run_import(store, ADMIN, [("v1.xlsx", filled_template(store))])
    run_import(store, ADMIN, [("v1.xlsx", filled_template(store, slug="other-pilot"))])
    user = add_user(store, ADMIN, "oona", "a long password", role="coordinator", pilots=["oulu-libraries"])
    oona = actor_for(store, user)
    data = lessons_csv([{"key": "L30", "title": "T", "lesson": "L", "kind": "insight"}])
    run_import(store, oona, [("lessons.csv", data)], Options(pilot="oulu-libraries", skip_invalid=True))
    with pytest.raises(IngestError, match="may not upload into the pilot 'other-pilot'"):
        run_import(store, oona, [("lessons.csv", data)], Options(pilot="other-pilot"))
    with pytest.raises(IngestError, match="only administrators create pilots"):
        run_import(store, oona, [("lessons.csv", data)], Options(pilot="brand-new"))


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "latin-1"])
def test_encodings(store, encoding):
    run_import(store, ADMIN, [("v1.xlsx", filled_template(store))])
    text = "key;title;lesson;kind\nL40;Café in Málaga;Über die Brücke;insight\n"
    outcome = run_import(store, ADMIN, [("lessons.csv", text.encode(encoding))], Options(pilot="oulu-libraries"))
    assert store.execute("SELECT title, lesson FROM lessons WHERE key = 'L40'").fetchone() == (
        "Café in Málaga",
        "Über die Brücke",
    )
    assert any("not UTF-8" in p.message for p in outcome.problems) == (encoding == "latin-1")


def test_cli_import_reads_windows_1252(tmp_path, capsys):
    """A CSV saved by Excel on Windows (Windows-1252): curly quotes, dashes, € and Œ arrive as written, not as
    Latin-1 controls that the cleaning strips ("Quoted title  5  saved"), with a warning naming the encoding (#17)."""
    db_path = tmp_path / "cli.db"
    open_store(db_path).close()
    title = "“Quoted” title – 5 € saved"
    lesson = "Smart ‘single’ quotes, an ellipsis… and Œuvre — in Jyväskylä"
    cp1252 = tmp_path / "lessons.csv"
    cp1252.write_bytes(f"key;title;lesson;kind\nW1;{title};{lesson};insight\n".encode("cp1252"))
    assert any(0x80 <= b <= 0x9F for b in cp1252.read_bytes())  # where Windows-1252 and Latin-1 differ
    args = ["--pilot", "windows-pilot", "--country", "FI", "--db", str(db_path), "--quiet"]
    assert main(["import", str(cp1252), *args]) == EXIT_OK
    said = "".join(capsys.readouterr())
    assert "lessons.csv" in said and "read as Windows-1252" in said
    with open_store(db_path) as db:
        assert db.execute("SELECT title, lesson FROM lessons WHERE key = 'W1'").fetchone() == (title, lesson)
    # a byte Windows-1252 leaves undefined (0x81): the file is read as Latin-1, and says so
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes(b"key;title;lesson;kind\nW2;Caf\xe9\x81;Br\xfccke;insight\n")
    assert main(["import", str(latin1), *args]) == EXIT_OK
    assert "read as Latin-1" in "".join(capsys.readouterr())
    with open_store(db_path) as db:
        assert db.execute("SELECT title, lesson FROM lessons WHERE key = 'W2'").fetchone() == ("Café", "Brücke")


def test_nasa_lessons_register_through_a_mapping(store):
    """A real foreign register: sites become pilots, topics become free-tag themes, US dates."""
    mapping = {
        "Lessons": {"pilot": "Organization", "key": "Lesson ID", "title": "Title", "lesson": "Lesson(s) Learned",
                    "context": "Driving Event", "recommendation": "Recommendation(s)", "themes": "Topics",
                    "recorded_on": "Date Lesson Occurred"},
    }  # fmt: skip
    data = (FIXTURES / "nasa_llis_extract.csv").read_bytes()
    options = Options(
        mapping=mapping,
        separator=",",
        date_order="MDY",
        skip_invalid=True,
        country="US",
        defaults={"Lessons": {"kind": "insight"}},
    )
    outcome = run_import(store, ADMIN, [("llis.csv", data)], options)
    source = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
    valid = [r for r in source if r["Title"] and r["Lesson(s) Learned"]]
    per_site = {}
    for r in valid:
        per_site[r["Organization"].lower()] = per_site.get(r["Organization"].lower(), 0) + 1
    assert {
        slug: n
        for slug, n in store.execute(
            "SELECT p.slug, count(*) FROM lessons l JOIN pilots p ON p.id = l.pilot_id GROUP BY p.slug"
        )
    } == per_site
    assert len(outcome.prepared.rejected) == len(source) - len(valid) == 3
    assert store.execute("SELECT count(*) FROM themes WHERE code = 'tag-program-management'").fetchone()[0] == 1
    assert store.execute("SELECT country FROM pilots WHERE slug = 'ksc'").fetchone() == ("US",)


def test_dry_run_writes_nothing(store):
    outcome = run_import(store, ADMIN, [("v1.xlsx", filled_template(store))], dry_run=True)
    assert outcome.plan.counts()["added"] == 7 and outcome.upload_id is None
    assert store.execute("SELECT count(*) FROM uploads").fetchone()[0] == 0


def test_cli_import_list_undo(tmp_path, capsys):
    db_path = tmp_path / "cli.db"
    open_store(db_path).close()
    xlsx = tmp_path / "summary.xlsx"
    with open_store(db_path) as db:
        xlsx.write_bytes(filled_template(db))
    assert main(["import", str(xlsx), "--db", str(db_path), "--quiet"]) == EXIT_OK
    out = capsys.readouterr().out
    assert "oulu-libraries" in out and "Upload 1 committed" in out
    assert main(["uploads", "list", "--db", str(db_path), "--json"]) == EXIT_OK
    assert json.loads(capsys.readouterr().out)[0]["filename"] == "summary.xlsx"
    assert main(["uploads", "undo", "1", "--db", str(db_path)]) == EXIT_OK
    assert main(["uploads", "undo", "1", "--db", str(db_path)]) == EXIT_INVALID
    bad = tmp_path / "lessons.csv"
    bad.write_text("key,title,lesson,kind\nL1,,x,wrong\n", encoding="utf-8")
    assert main(["import", str(bad), "--pilot", "x-y", "--db", str(db_path), "--quiet"]) == EXIT_INVALID
    err = capsys.readouterr().err
    assert "lessons.csv, sheet Lessons, row 2, column title" in err and "nothing was written" in err


def test_cli_template(tmp_path, capsys):
    out = tmp_path / "t.xlsx"
    assert main(["template", "--out", str(out), "--db", str(tmp_path / "t.db")]) == EXIT_OK
    assert load_workbook(out).sheetnames[2:] == [
        "Pilot", "Lessons", "Stakeholders", "Ties", "Models", "Model elements", "Lesson links",
    ]  # fmt: skip


def test_an_upload_that_changes_a_network_stores_its_analyses(store, monkeypatch):
    from lessons import network

    run_import(store, ADMIN, [("v1.xlsx", filled_template(store))])
    names = {r[0] for r in store.execute("SELECT name FROM analysis_results WHERE name LIKE 'network%'")}
    assert names == {"network-layout:oulu-libraries"} | {
        network.analysis_name("oulu-libraries", period) for period in network.PERIODS
    }

    def refuse(*args, **kwargs):
        raise AssertionError("recomputed although stored")

    monkeypatch.setattr("lessons.network.storage._compute_analysis", refuse)
    assert network.analysis(store, "oulu-libraries").metrics["nodes"] == 2


def test_a_failing_network_analysis_does_not_fail_the_upload(store, monkeypatch):
    from lessons import network

    def broken(*args, **kwargs):
        raise RuntimeError("analysis broke")

    monkeypatch.setattr(network, "pilot_layout", broken)
    outcome = run_import(store, ADMIN, [("v1.xlsx", filled_template(store))])
    assert outcome.upload_id is not None
    assert store.execute("SELECT count(*) FROM ties").fetchone()[0] == 1
