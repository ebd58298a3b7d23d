"""Deleting a pilot keeps what went with it, and an administrator can undo the deletion exactly (#14)."""

from __future__ import annotations

import pytest

from lessons.editing import EditError, create_pilot, delete_pilot
from lessons.permissions import Actor, PermissionDenied
from lessons.pilot_archive import deleted_pilots, deletion_summary, last_deletion, restore_pilot
from lessons.store import TABLES

ADMIN = Actor("root", "admin")
KEPT_APART = {"audit_log", "deleted_pilots"}  # the record of the deletion and undo, and the archive itself


def contents(db) -> dict[str, list[tuple]]:
    """Every row of every data table, in rowid order."""
    return {
        t: db.execute(f"SELECT rowid, * FROM [{t}] ORDER BY rowid").fetchall() for t in TABLES if t not in KEPT_APART
    }


def pilot_id(db, slug="tampere-youth-guidance") -> int:
    return db.execute("SELECT id FROM pilots WHERE slug = ?", [slug]).fetchone()[0]


def test_the_summary_names_what_goes_and_what_loses_the_link(demo_db):
    pid = pilot_id(demo_db)
    n = lambda sql: demo_db.execute(sql, [pid]).fetchone()[0]  # noqa: E731
    summary = deletion_summary(demo_db, pid)
    assert summary["lessons"] == n("SELECT count(*) FROM lessons WHERE pilot_id = ?") > 0
    assert summary["stakeholders"] == n("SELECT count(*) FROM stakeholders WHERE pilot_id = ?") > 0
    assert summary["ties"] == n("SELECT count(*) FROM ties WHERE pilot_id = ?") > 0
    assert summary["statements"] == n(
        "SELECT count(*) FROM statements WHERE lesson_id IN (SELECT id FROM lessons WHERE pilot_id = ?)"
    )
    assert summary["uploads"] == n("SELECT count(*) FROM uploads WHERE pilot_id = ?")


def test_delete_then_undo_restores_every_row(demo_db):
    before = contents(demo_db)
    pid = pilot_id(demo_db)
    statements = demo_db.execute(
        "SELECT count(*) FROM statements WHERE lesson_id IN (SELECT id FROM lessons WHERE pilot_id = ?)", [pid]
    ).fetchone()[0]
    removed = delete_pilot(demo_db, ADMIN, pid, confirm_slug="tampere-youth-guidance")
    assert removed > 100
    assert demo_db.execute("SELECT count(*) FROM lessons WHERE pilot_id = ?", [pid]).fetchone() == (0,)
    if statements:  # workshop statements drawn from its lessons stay, without the link
        assert demo_db.execute("SELECT count(*) FROM statements WHERE lesson_id IS NULL").fetchone()[0] >= statements
    assert contents(demo_db) != before
    [entry] = deleted_pilots(demo_db)
    assert (entry["slug"], entry["rows"], entry["deleted_by"]) == ("tampere-youth-guidance", removed, "root")
    assert restore_pilot(demo_db, ADMIN, entry["id"]) == removed
    assert contents(demo_db) == before
    assert deleted_pilots(demo_db) == []
    actions = demo_db.execute("SELECT action, object_id, rows FROM audit_log ORDER BY id DESC LIMIT 2").fetchall()
    assert actions == [
        ("pilot.restore", "tampere-youth-guidance", removed),
        ("pilot.delete", "tampere-youth-guidance", removed),
    ]
    assert demo_db.execute("PRAGMA foreign_key_check").fetchall() == []


def test_a_wrong_slug_deletes_nothing(demo_db):
    before = list(demo_db.conn.iterdump())
    with pytest.raises(EditError, match="Type the pilot's slug"):
        delete_pilot(demo_db, ADMIN, pilot_id(demo_db), confirm_slug="tampere")
    assert list(demo_db.conn.iterdump()) == before


@pytest.mark.parametrize(
    "actor",
    [Actor("ana", "coordinator", frozenset({1, 2, 3})), Actor("fay", "facilitator"), Actor("vic", "viewer"), None],
    ids=lambda a: a.role if a else "anonymous",
)
def test_only_an_administrator_deletes_or_undoes(demo_db, actor):
    before = list(demo_db.conn.iterdump())
    with pytest.raises(PermissionDenied):
        delete_pilot(demo_db, actor, pilot_id(demo_db))
    assert list(demo_db.conn.iterdump()) == before
    delete_pilot(demo_db, ADMIN, pilot_id(demo_db))
    before = list(demo_db.conn.iterdump())
    with pytest.raises(PermissionDenied):
        restore_pilot(demo_db, actor, last_deletion(demo_db, "tampere-youth-guidance"))
    assert list(demo_db.conn.iterdump()) == before


def test_undo_is_refused_when_the_slug_was_reused(demo_db):
    delete_pilot(demo_db, ADMIN, pilot_id(demo_db))
    create_pilot(demo_db, ADMIN, "tampere-youth-guidance", name="Another", country="FI")
    before = list(demo_db.conn.iterdump())
    with pytest.raises(EditError, match="was created since"):
        restore_pilot(demo_db, ADMIN, last_deletion(demo_db, "tampere-youth-guidance"))
    assert list(demo_db.conn.iterdump()) == before


def test_undo_twice_is_refused(demo_db):
    delete_pilot(demo_db, ADMIN, pilot_id(demo_db))
    deletion = last_deletion(demo_db, "tampere-youth-guidance")
    restore_pilot(demo_db, ADMIN, deletion)
    with pytest.raises(EditError, match="undone already"):
        restore_pilot(demo_db, ADMIN, deletion)
