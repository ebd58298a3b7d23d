"""Who may upload and undo: the upload itself is authorised before and whatever it changes (an empty upload is no
way around the check), and undo is for an administrator or the coordinator of every pilot the upload touched."""

from __future__ import annotations

import json

import pytest

from lessons.accounts import actor_for
from lessons.cli import EXIT_INVALID, EXIT_OK, main
from lessons.ingest.changes import Plan, commit, undo_upload
from lessons.ingest.pipeline import check, run_import
from lessons.ingest.validate import Options
from lessons.permissions import PermissionDenied, authorize_undo, authorize_upload, cli_actor
from lessons.store import open_store, table_counts

ADMIN = cli_actor()
TAMPERE, VALENCIA = "tampere-youth-guidance", "valencia-digital-inclusion"
EMPTY = [("empty.json", b"{}")]
LESSON = "key,title,lesson,kind\nL90,Night buses mattered,Young people came when buses ran late.,insight\n"


def account(db, name: str):
    return actor_for(db, db.execute("SELECT id FROM users WHERE username = ?", [name]).fetchone()[0])


def state(db) -> tuple:
    """Row counts, uploads and every audit row: what a refused upload must leave as it was."""
    uploads = db.execute("SELECT id, status FROM uploads ORDER BY id").fetchall()
    audit = db.execute("SELECT count(*), max(id) FROM audit_log").fetchone()
    return table_counts(db), uploads, audit


def commits_claimed(db) -> int:
    return db.execute("SELECT count(*) FROM audit_log WHERE action = 'upload.commit'").fetchone()[0]


# --- through the CLI ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("content", [b"{}", json.dumps({"lessons": []}).encode(), b"[]"])
def test_a_viewer_cannot_commit_an_empty_upload_from_the_cli(content, demo_db_path, tmp_path, capsys):
    path = tmp_path / "empty.json"
    path.write_bytes(content)
    with open_store(demo_db_path) as db:
        before, claimed = state(db), commits_claimed(db)
    code = main(["import", str(path), "--as", "viewer", "--db", str(demo_db_path), "--quiet"])
    out, err = capsys.readouterr()
    assert code == EXIT_INVALID, out
    assert "committed" not in out and "A viewer may not upload data. Nothing was written." in err
    with open_store(demo_db_path) as db:
        assert state(db) == before and commits_claimed(db) == claimed


def test_a_viewer_cannot_upload_lessons_from_the_cli(demo_db_path, tmp_path, capsys):
    path = tmp_path / "lessons.csv"
    path.write_text(LESSON, encoding="utf-8")
    with open_store(demo_db_path) as db:
        before = state(db)
    code = main(["import", str(path), "--pilot", TAMPERE, "--as", "viewer", "--db", str(demo_db_path), "--quiet"])
    assert code == EXIT_INVALID and "may not upload" in capsys.readouterr().err
    with open_store(demo_db_path) as db:
        assert state(db) == before


def test_a_coordinator_cannot_name_another_pilot_even_with_an_empty_file(demo_db_path, tmp_path, capsys):
    path = tmp_path / "empty.json"
    path.write_bytes(b"{}")
    argv = ["import", str(path), "--pilot", VALENCIA, "--as", "coordinator", "--db", str(demo_db_path), "--quiet"]
    assert main(argv) == EXIT_INVALID
    err = capsys.readouterr().err
    assert f"empty.json, column pilot: You may not upload into the pilot '{VALENCIA}'." in err
    assert "nothing was written" in err
    argv[3] = TAMPERE
    assert main(argv) == EXIT_OK
    assert "Nothing changed: every row is already in the store. No upload was recorded." in capsys.readouterr().out


def test_only_an_administrator_undoes_an_upload_from_the_cli(demo_db_path, tmp_path, capsys):
    path = tmp_path / "one.json"
    path.write_text('{"stakeholders": [{"key": "ZZ1", "name": "Newcomer", "sector": "public"}]}', encoding="utf-8")
    assert main(["import", str(path), "--pilot", VALENCIA, "--db", str(demo_db_path), "--quiet"]) == EXIT_OK
    upload_id = capsys.readouterr().out.split("Upload ")[1].split()[0]
    for who in ("viewer", "coordinator", "facilitator"):
        code = main(["uploads", "undo", upload_id, "--as", who, "--db", str(demo_db_path)])
        assert code == EXIT_INVALID, who
        assert "undone" not in capsys.readouterr().out
    assert main(["uploads", "undo", upload_id, "--db", str(demo_db_path)]) == EXIT_OK
    assert f"Upload {upload_id} undone" in capsys.readouterr().out


# --- in the domain ------------------------------------------------------------------------------------------------


def test_nobody_signed_in_gets_a_refusal_not_an_attribute_error(demo_db):
    before = state(demo_db)
    with pytest.raises(PermissionDenied, match="Sign in to upload data"):
        run_import(demo_db, None, EMPTY)
    with pytest.raises(PermissionDenied, match="Sign in to upload data"):
        commit(demo_db, None, Plan(), filename="empty.json")
    with pytest.raises(PermissionDenied, match="Sign in to upload data"):
        check(demo_db, None, EMPTY)
    with pytest.raises(PermissionDenied, match="Sign in to undo uploads"):
        undo_upload(demo_db, None, 1)
    assert state(demo_db) == before


def test_the_domain_commit_authorises_an_upload_with_no_changes(demo_db):
    viewer, facilitator = account(demo_db, "viewer"), account(demo_db, "facilitator")
    before = state(demo_db)
    for actor in (viewer, facilitator):
        with pytest.raises(PermissionDenied, match="may not upload data"):
            commit(demo_db, actor, Plan(), filename="empty.json")
        with pytest.raises(PermissionDenied, match="may not upload data"):
            run_import(demo_db, actor, EMPTY, dry_run=True)
    assert state(demo_db) == before


def test_undo_needs_every_pilot_the_upload_touched(demo_db):
    coordinator, south = account(demo_db, "coordinator"), account(demo_db, "coordinator.south")
    both = "pilot,key,title,lesson,kind\n" + "".join(
        f"{slug},L8{i},Night buses mattered,Young people came when buses ran late.,insight\n"
        for i, slug in enumerate((TAMPERE, VALENCIA))
    )
    upload_id = run_import(demo_db, ADMIN, [("lessons.csv", both.encode())]).upload_id
    for actor in (coordinator, south, account(demo_db, "viewer")):
        with pytest.raises(PermissionDenied):
            undo_upload(demo_db, actor, upload_id)
    own = run_import(demo_db, coordinator, [("lessons.csv", LESSON.encode())], Options(pilot=TAMPERE)).upload_id
    with pytest.raises(PermissionDenied):
        undo_upload(demo_db, south, own)
    assert undo_upload(demo_db, coordinator, own) == 1
    assert undo_upload(demo_db, ADMIN, upload_id) == 2


def test_the_rules_themselves():
    ana = cli_actor().__class__("ana", "coordinator", frozenset({1, 2}))
    assert authorize_upload(ana, [1, 2]) is ana and authorize_undo(ana, [1, 2]) is ana
    with pytest.raises(PermissionDenied):
        authorize_upload(ana, [1, 3])
    with pytest.raises(PermissionDenied):
        authorize_upload(ana, [1], creates_pilots=True)
    with pytest.raises(PermissionDenied):
        authorize_undo(ana, [])
    with pytest.raises(PermissionDenied):
        authorize_undo(ana, [2, 3])
    odd = cli_actor().__class__("x", "superuser")
    with pytest.raises(PermissionDenied):
        authorize_upload(odd)
