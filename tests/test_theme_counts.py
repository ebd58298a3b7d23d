"""The summary table behind the Overview's and *What recurs*' theme counts stays equal to a recount (#18).

``lesson_theme_counts`` is kept by triggers (migration m013). Each write path a user has — editing a lesson, an
upload and its undo, deleting and restoring a pilot, merging themes, importing a bundle — is taken here, and after
each the table must equal a count made from the lessons themselves.
"""

from __future__ import annotations

import io
import sys
import types

import pytest
from openpyxl import load_workbook

from lessons.cli import main
from lessons.cli.common import EXIT_OK
from lessons.editing import update_lesson
from lessons.ingest.template import build_template
from lessons.permissions import cli_actor
from lessons.pilot_archive import delete_pilot, last_deletion, restore_pilot
from lessons.queries import lessons_by_theme_and_kind
from lessons.store import open_store
from lessons.synthesis import theme_matrix
from lessons.visibility import AUDIENCE_SQL
from lessons.vocabularies import merge_theme

RECOUNT = f"""SELECT l.pilot_id, lt.theme_id, l.kind, l.audience, count(*)
             FROM lesson_themes lt JOIN (SELECT *, {AUDIENCE_SQL} AS audience FROM lessons) l ON l.id = lt.lesson_id
             GROUP BY l.pilot_id, lt.theme_id, l.kind, l.audience ORDER BY 1, 2, 3, 4"""
KEPT = "SELECT pilot_id, theme_id, kind, audience, lessons FROM lesson_theme_counts ORDER BY 1, 2, 3, 4"


def assert_kept(db) -> None:
    kept = db.execute(KEPT).fetchall()
    assert kept == db.execute(RECOUNT).fetchall()
    assert all(row[4] > 0 for row in kept)


def test_the_demo_store_and_an_empty_one_agree_with_a_recount(demo_db_path):
    with open_store(demo_db_path) as db:
        assert db.execute("SELECT count(*) FROM lesson_theme_counts").fetchone()[0] > 20
        assert_kept(db)


def test_editing_a_lessons_kind_and_themes_keeps_the_counts(demo_db_path):
    admin = cli_actor()
    with open_store(demo_db_path) as db:
        lesson_id, kind = db.execute(
            "SELECT id, kind FROM lessons WHERE id IN (SELECT lesson_id FROM lesson_themes) ORDER BY id LIMIT 1"
        ).fetchone()
        update_lesson(db, admin, lesson_id, kind="barrier" if kind != "barrier" else "enabler")
        assert_kept(db)
        codes = [r[0] for r in db.execute("SELECT code FROM themes ORDER BY code LIMIT 3")]
        update_lesson(db, admin, lesson_id, themes=codes)
        assert_kept(db)
        update_lesson(db, admin, lesson_id, themes=[])
        assert_kept(db)


def test_direct_writes_are_counted_too(demo_db_path):
    with open_store(demo_db_path) as db, db.atomic():
        db.execute(
            "UPDATE lessons SET pilot_id = (SELECT max(id) FROM pilots), key = key || '-moved' "
            "WHERE id = (SELECT min(lesson_id) FROM lesson_themes)"
        )
        newest = db.execute("SELECT max(id) FROM themes").fetchone()[0]
        moved = db.execute(
            "UPDATE lesson_themes SET theme_id = ? WHERE rowid = (SELECT min(rowid) FROM lesson_themes lt "
            "WHERE NOT EXISTS (SELECT 1 FROM lesson_themes x WHERE x.lesson_id = lt.lesson_id AND x.theme_id = ?))",
            [newest, newest],
        )
        assert moved.rowcount == 1
        db.execute(
            "DELETE FROM lessons WHERE id IN (SELECT lesson_id FROM lesson_themes ORDER BY lesson_id DESC LIMIT 5)"
        )
        assert_kept(db)


def test_deleting_and_restoring_a_pilot_keeps_the_counts(demo_db_path):
    admin = cli_actor()
    with open_store(demo_db_path) as db:
        before = db.execute(KEPT).fetchall()
        pilot_id, slug = db.execute("SELECT id, slug FROM pilots ORDER BY id LIMIT 1").fetchone()
        delete_pilot(db, admin, pilot_id, confirm_slug=slug)
        assert_kept(db)
        assert not db.execute("SELECT 1 FROM lesson_theme_counts WHERE pilot_id = ?", [pilot_id]).fetchone()
        restore_pilot(db, admin, last_deletion(db, slug))
        assert_kept(db)
        assert len(db.execute(KEPT).fetchall()) == len(before)


def test_merging_themes_keeps_the_counts(demo_db_path):
    with open_store(demo_db_path) as db:
        source, target = [r[0] for r in db.execute(
            "SELECT t.code FROM themes t WHERE EXISTS (SELECT 1 FROM lesson_themes lt WHERE lt.theme_id = t.id) "
            "ORDER BY t.code LIMIT 2"
        )]  # fmt: skip
        merge_theme(db, cli_actor(), source, target)
        assert_kept(db)


def _workbook(db) -> bytes:
    workbook = load_workbook(io.BytesIO(build_template(db)))
    pilot = workbook["Pilot"]
    facts = {"slug": "oulu-libraries", "name": "Library help desks", "country": "FI"}
    for row in range(2, pilot.max_row + 1):
        if pilot.cell(row, 1).value in facts:
            pilot.cell(row, 2, facts[pilot.cell(row, 1).value])
    header = [c.value for c in workbook["Lessons"][1]]
    for values in (
        {"key": "L01", "title": "Champions", "lesson": "Librarians brought people in.", "kind": "enabler", "themes": "champions; digital"},
        {"key": "L02", "title": "Forms", "lesson": "Forms needed a bank ID.", "kind": "barrier", "themes": "digital"},
    ):  # fmt: skip
        workbook["Lessons"].append([values.get(h) for h in header])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_an_upload_and_its_undo_keep_the_counts(demo_db_path, tmp_path):
    xlsx = tmp_path / "summary.xlsx"
    with open_store(demo_db_path) as db:
        xlsx.write_bytes(_workbook(db))
        before = db.execute(KEPT).fetchall()
    assert main(["import", str(xlsx), "--db", str(demo_db_path), "--quiet"]) == EXIT_OK
    with open_store(demo_db_path) as db:
        assert_kept(db)
        assert db.execute(KEPT).fetchall() != before
        upload = db.execute("SELECT max(id) FROM uploads").fetchone()[0]
    assert main(["uploads", "undo", str(upload), "--db", str(demo_db_path)]) == EXIT_OK
    with open_store(demo_db_path) as db:
        assert_kept(db)
        assert db.execute(KEPT).fetchall() == before


@pytest.fixture
def quick_briefs(monkeypatch):
    """The bundle's briefs stand-in (they are tested in tests of ``lessons.report``)."""
    fake = types.ModuleType("lessons.report")
    fake.bundle_briefs = lambda db: {"brief-demo.pdf": b"%PDF-1.4 a brief"}
    fake.iter_bundle_briefs = lambda db: iter(fake.bundle_briefs(db).items())
    monkeypatch.setitem(sys.modules, "lessons.report", fake)


def test_a_bundle_imported_into_an_empty_store_has_the_same_counts(demo_db_path, tmp_path, quick_briefs):
    bundle, new = tmp_path / "b.zip", tmp_path / "new.db"
    assert main(["export", "--format", "bundle", "--out", str(bundle), "--db", str(demo_db_path)]) == EXIT_OK
    assert main(["import-bundle", str(bundle), "--db", str(new)]) == EXIT_OK
    with open_store(new) as db:
        assert_kept(db)
        assert db.execute("SELECT count(*) FROM lesson_theme_counts").fetchone()[0] > 20


def test_the_pages_figures_come_out_as_before(demo_db_path):
    """The Overview's and *What recurs*' queries read the summary; their answers equal a count from the lessons."""
    with open_store(demo_db_path) as db:
        by_kind = lessons_by_theme_and_kind(db)
        direct = db.execute(
            """SELECT t.name, l.kind, count(*) FROM lesson_themes lt JOIN themes t ON t.id = lt.theme_id
               JOIN lessons l ON l.id = lt.lesson_id GROUP BY t.name, l.kind ORDER BY t.name, l.kind"""
        ).fetchall()
        assert list(by_kind.itertuples(index=False, name=None)) == direct
        matrix = theme_matrix(db)
        cell = matrix.loc[matrix["lessons"] > 0].iloc[0]
        assert (
            cell["lessons"]
            == db.execute(
                """SELECT count(*) FROM lesson_themes lt JOIN lessons l ON l.id = lt.lesson_id
               JOIN pilots p ON p.id = l.pilot_id JOIN themes t ON t.id = lt.theme_id WHERE p.slug = ? AND t.code = ?""",
                [cell["pilot"], cell["theme"]],
            ).fetchone()[0]
        )
        assert matrix["lessons"].sum() == db.execute("SELECT count(*) FROM lesson_themes").fetchone()[0]
