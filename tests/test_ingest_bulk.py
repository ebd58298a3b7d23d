"""A long run of new lessons written in bulk leaves the same store as written one by one, search indexes included."""

from __future__ import annotations

import csv
import io
import json

import pytest

from lessons.ingest import bulk
from lessons.ingest.changes import undo_upload
from lessons.ingest.pipeline import run_import
from lessons.ingest.validate import Options
from lessons.permissions import cli_actor
from lessons.store import open_memory_store

ADMIN = cli_actor()
HEADER = ["key", "title", "lesson", "context", "recommendation", "kind", "themes", "stakeholder groups", "status"]
INSERT = bulk.insert_lessons
WORDS = ["Residents", "trusted", "the librarians", "café", "co-design", "workshops", "évaluation", "running", "ran"]


def lessons_csv(first: int, count: int, *, changed: set[int] = frozenset()) -> bytes:
    """CSV of ``count`` lessons from key L``first``: varied texts, themes (some free tags), groups and statuses."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for i in range(first, first + count):
        words = " ".join(WORDS[(i * k) % len(WORDS)] for k in range(1, 7))
        themes = ["trust", "digital-inclusion", "Night buses", "champions"][i % 4 : i % 4 + 1 + i % 2]
        writer.writerow([
            f"L{i:04d}", f"Lesson {i} {words[:30]}", f"{words} {'again ' * (i % 3)}{'revised' if i in changed else ''}",
            "" if i % 5 else f"Context {i}", "" if i % 7 else "Keep doing it.",
            ["enabler", "barrier", "recommendation", "insight"][i % 4], ";".join(themes),
            ["", "public", "public;civil_society"][i % 3], ["", "draft", "submitted"][i % 3],
        ])  # fmt: skip
    return out.getvalue().encode()


def snapshot(db) -> dict:
    """Everything an import writes that does not depend on the clock, search indexes term by term and position."""
    for index in ("lessons_fts", "lessons_words"):
        db.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.{index}_at USING fts5vocab(main, {index}, 'instance')")
        db.execute(f"INSERT INTO {index} ({index}) VALUES ('integrity-check')")

    def rows(sql):
        return db.execute(sql).fetchall()

    def image(text):
        found = json.loads(text) if text else None
        return {k: v for k, v in found.items() if k not in ("created_at", "updated_at")} if found else None

    timeless = [c[1] for c in rows("PRAGMA table_info(lessons)") if c[1] not in ("created_at", "updated_at")]
    return {
        "lessons": rows(f"SELECT {', '.join(timeless)} FROM lessons ORDER BY id"),
        "themes": rows("SELECT * FROM themes ORDER BY id"),
        "links": rows("SELECT * FROM lesson_themes ORDER BY lesson_id, theme_id"),
        "groups": rows("SELECT * FROM lesson_groups ORDER BY lesson_id, sector"),
        "counts": rows("SELECT * FROM lesson_theme_counts ORDER BY pilot_id, theme_id, kind"),
        "versions": rows("SELECT * FROM data_versions ORDER BY area"),
        "history": rows(
            "SELECT id, lesson_id, status_before, status, source, user_id, role, reason FROM lesson_status_history"
        ),
        "changes": [
            (*row[:6], image(row[6]), image(row[7]))
            for row in rows("SELECT id, upload_id, pilot_id, table_name, row_id, op, before, after FROM upload_changes")
        ],
        "fts": rows("SELECT * FROM temp.lessons_fts_at ORDER BY term, doc, col, offset"),
        "words": rows("SELECT * FROM temp.lessons_words_at ORDER BY term, doc, col, offset"),
        "triggers": rows("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name"),
    }


def imported(monkeypatch, bulk_rows: int) -> tuple[list[dict], list[int]]:
    """Run three uploads (new lessons; new and changed ones; new ones) with runs of ``bulk_rows`` written in bulk.

    Return the store's snapshot after each upload and after undoing them one by one, and the bulk runs' lengths.
    """
    monkeypatch.setattr(bulk, "BULK_ROWS", bulk_rows)
    runs = []
    monkeypatch.setattr(bulk, "STEP", 7)  # runs written in several steps
    monkeypatch.setattr(bulk, "insert_lessons", lambda db, rows, n, *a, **k: runs.append(n) or INSERT(db, rows, n, *a, **k))  # fmt: skip
    db = open_memory_store()
    snapshots = [snapshot(db)]
    options = Options(pilot="bulk-pilot", country="FI")
    uploads = [
        run_import(db, ADMIN, [("lessons.csv", lessons_csv(1, 40))], options).upload_id,
        run_import(db, ADMIN, [("lessons.csv", lessons_csv(31, 40, changed={31, 35}))], options).upload_id,
        run_import(db, ADMIN, [("more lessons.csv", lessons_csv(71, 25))], options).upload_id,
    ]
    snapshots.append(snapshot(db))
    for upload_id in reversed(uploads):
        undo_upload(db, ADMIN, upload_id)
        snapshots.append(snapshot(db))
    db.close()
    return snapshots, runs


def test_the_bulk_path_stands_in_for_the_triggers_of_a_fresh_store():
    db = open_memory_store()
    assert bulk.paused_triggers(db) is not None, "an insert trigger changed: update lessons.ingest.bulk to match"


@pytest.mark.parametrize("images", ["made from the values written", "read back"])
def test_a_bulk_import_leaves_the_same_store_and_indexes_as_row_by_row_and_undo_restores_them(monkeypatch, images):
    by_row, none = imported(monkeypatch, 10**9)
    if images == "read back":
        monkeypatch.setattr(bulk, "_stored_as", lambda db: None)
    in_bulk, runs = imported(monkeypatch, 5)
    assert none == [] and runs == [40, 30, 25]  # the second upload: 2 changed lessons, 8 unchanged, 30 new
    assert in_bulk[1]["fts"] and in_bulk[1]["counts"] and in_bulk[1]["groups"]  # something to compare
    for step, (expected, found) in enumerate(zip(by_row, in_bulk)):
        for part in expected:
            assert found[part] == expected[part], (step, part)
    assert in_bulk[-1]["fts"] == in_bulk[0]["fts"] == [] and in_bulk[-1]["counts"] == []


@pytest.mark.parametrize("bulk_rows", [5, 10**9])
def test_a_refused_bulk_run_writes_nothing_and_keeps_the_triggers(monkeypatch, bulk_rows):
    monkeypatch.setattr(bulk, "BULK_ROWS", bulk_rows)
    db = open_memory_store()
    run_import(db, ADMIN, [("lessons.csv", lessons_csv(1, 10))], Options(pilot="bulk-pilot", country="FI"))
    before = snapshot(db)
    db.execute("CREATE TRIGGER refuse BEFORE INSERT ON lessons WHEN new.key = 'L0018' BEGIN SELECT RAISE(ABORT, 'no'); END")  # fmt: skip
    with pytest.raises(Exception, match="no"):
        run_import(db, ADMIN, [("lessons.csv", lessons_csv(11, 10))], Options(pilot="bulk-pilot"))
    db.execute("DROP TRIGGER refuse")
    assert snapshot(db) == before
