"""The audit log (issue #3): what every write records, how it is filtered and read, and exports that are safe to open."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pytest

from lessons.accounts import actor_for, add_user, update_user
from lessons.audit import audit_entries, record
from lessons.cli import EXIT_OK, main
from lessons.editing import EditError, create_pilot, delete_pilot, save_theme, update_lesson, update_pilot
from lessons.exports import neutralise, neutralised, to_csv
from lessons.permissions import Actor, PermissionDenied, cli_actor
from lessons.store import connect
from lessons.workshops import create_workshop

STAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")
COLUMNS = ["id", "at", "actor", "action", "object_type", "object_id", "rows", "detail"]


def last_entry(db) -> dict:
    cursor = db.execute("SELECT * FROM audit_log ORDER BY id DESC LIMIT 1")
    return dict(zip([c[0] for c in cursor.description], cursor.fetchone()))


def entries(db) -> int:
    return db.execute("SELECT count(*) FROM audit_log").fetchone()[0]


@pytest.fixture
def pilot(db):
    """Pilot alpha (created by the command line) with lesson L1."""
    pilot_id = create_pilot(db, cli_actor(), "alpha", name="Alpha", country="FI")
    lesson_id = db.execute(
        "INSERT INTO lessons (pilot_id, key, title, lesson, kind) VALUES (?, 'L1', 'Old title', 'Text.', 'barrier')",
        [pilot_id],
    ).lastrowid
    return pilot_id, lesson_id


# --- what a write records -----------------------------------------------------------------------------------------


def test_create_pilot_records_who_when_what_and_rows(db):
    started = datetime.now(UTC) - timedelta(seconds=1)
    create_pilot(db, cli_actor(), "alpha", name="Alpha", country="FI", city="Tampere")
    entry = last_entry(db)
    at = entry.pop("at")
    assert STAMP.fullmatch(at)
    assert started <= datetime.strptime(at, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC) <= datetime.now(UTC)
    assert entry == {
        "id": 1,
        "user_id": None,
        "actor": cli_actor().username,
        "action": "pilot.create",
        "object_type": "pilot",
        "object_id": "alpha",
        "rows": 1,
        "detail": '{"city": "Tampere", "country": "FI", "name": "Alpha"}',
    }


def test_update_lesson_records_before_and_after(db, pilot):
    pilot_id, lesson_id = pilot
    cora_id = add_user(db, cli_actor(), "cora", "a long enough secret", role="coordinator", pilots=["alpha"])
    cora = actor_for(db, cora_id)
    update_lesson(db, cora, lesson_id, title="New title", kind="barrier", themes=["trust"])
    entry = last_entry(db)
    assert (entry["user_id"], entry["actor"], entry["action"]) == (cora_id, "cora", "lesson.edit")
    assert (entry["object_type"], entry["object_id"], entry["rows"]) == ("lesson", "alpha:L1", 1)
    detail = json.loads(entry["detail"])
    assert detail == {
        "title": {"before": "Old title", "after": "New title"},
        "themes": {"before": [], "after": ["trust"]},
    }
    assert all(set(change) == {"before", "after"} for change in detail.values())


def test_update_pilot_records_only_what_changed(db, pilot):
    pilot_id, _ = pilot
    update_pilot(db, cli_actor(), pilot_id, name="Alpha", city="Tampere", summary="")
    entry = last_entry(db)
    assert (entry["action"], entry["object_id"], entry["rows"]) == ("pilot.edit", "alpha", 1)
    assert json.loads(entry["detail"]) == {"city": {"before": None, "after": "Tampere"}}


def test_no_change_and_a_refused_edit_record_nothing(db, pilot):
    pilot_id, lesson_id = pilot
    count = entries(db)
    assert update_lesson(db, cli_actor(), lesson_id, title="Old title") == {}
    assert update_pilot(db, cli_actor(), pilot_id, name="Alpha") == {}
    with pytest.raises(EditError):
        update_pilot(db, cli_actor(), pilot_id, country="fi")
    with pytest.raises(PermissionDenied):
        update_pilot(db, Actor("vic", "viewer"), pilot_id, name="Beta")
    assert entries(db) == count


def test_delete_pilot_counts_the_rows_it_removes(db, pilot):
    pilot_id, _ = pilot
    assert delete_pilot(db, cli_actor(), pilot_id) == 2
    entry = last_entry(db)
    assert (entry["action"], entry["object_type"], entry["object_id"], entry["rows"], entry["detail"]) == (
        "pilot.delete",
        "pilot",
        "alpha",
        2,
        '{"lessons": 1, "pilots": 1}',
    )


def test_other_writes_record_literal_entries(db, pilot):
    code = create_workshop(db, cli_actor(), "Validation round")
    save_theme(db, cli_actor(), "housing", "Housing first")
    add_user(db, cli_actor(), "fay", "a long enough secret", role="facilitator")
    update_user(db, cli_actor(), "fay", display_name="Fay F.")
    rows = db.execute(
        "SELECT actor, action, object_type, object_id, rows, detail FROM audit_log WHERE id > 1 ORDER BY id"
    ).fetchall()
    cli = cli_actor().username
    assert rows == [
        (cli, "workshop.create", "workshop", code, 1, '{"title": "Validation round"}'),
        (cli, "theme.save", "theme", "housing", 1, '{"after": {"description": null, "name": "Housing first"}, "before": null}'),
        (cli, "user.add", "user", "fay", 1, '{"pilots": [], "role": "facilitator"}'),
        (cli, "user.update", "user", "fay", 1, '{"display_name": "Fay F."}'),
    ]  # fmt: skip


# --- reading the log ----------------------------------------------------------------------------------------------

LOG = [
    # at,                          actor,   action
    ("2026-01-01T09:00:00.000Z", "ana", "user.add"),
    ("2026-01-02T00:00:00.000Z", "Bob", "user.remove"),
    ("2026-01-02T23:59:59.999Z", "ana", "users.x"),
    ("2026-01-03T00:00:00.000Z", "bob", "lesson.edit"),
    ("2026-01-03T00:00:00.000Z", "carl", "wo_rk.x"),
    ("2026-01-04T08:00:00.000Z", "carl", "user"),
]


@pytest.fixture
def log(db):
    for at, actor, action in LOG:
        record(db, actor, action, object_type="thing", object_id=action, rows=1, at=at)
    return db


def read(db, **filters) -> list[tuple[str, str]]:
    found = audit_entries(db, cli_actor(), **filters)
    assert list(found.columns) == COLUMNS
    return list(zip(found["actor"], found["action"]))


def test_entries_come_newest_first_with_ties_broken_by_id(log):
    assert read(log) == [
        ("carl", "user"),
        ("carl", "wo_rk.x"),
        ("bob", "lesson.edit"),
        ("ana", "users.x"),
        ("Bob", "user.remove"),
        ("ana", "user.add"),
    ]
    assert read(log, limit=2) == [("carl", "user"), ("carl", "wo_rk.x")]


@pytest.mark.parametrize(
    ("filters", "actions"),
    [
        ({"since": "2026-01-02"}, ["user", "wo_rk.x", "lesson.edit", "users.x", "user.remove"]),
        ({"since": date(2026, 1, 3)}, ["user", "wo_rk.x", "lesson.edit"]),
        ({"since": "2026-01-02T12:00"}, ["user", "wo_rk.x", "lesson.edit", "users.x"]),
        ({"since": datetime(2026, 1, 2, 12)}, ["user", "wo_rk.x", "lesson.edit", "users.x"]),
        ({"until": "2026-01-02"}, ["users.x", "user.remove", "user.add"]),  # the whole last day
        ({"until": date(2026, 1, 2)}, ["users.x", "user.remove", "user.add"]),
        ({"since": "2026-01-02", "until": "2026-01-02"}, ["users.x", "user.remove"]),
        ({"until": "2026-01-02T12:00"}, ["user.remove", "user.add"]),
        ({"since": "2027-01-01"}, []),
        ({"since": ""}, ["user", "wo_rk.x", "lesson.edit", "users.x", "user.remove", "user.add"]),
    ],
)
def test_filter_by_time(log, filters, actions):
    assert [action for _, action in read(log, **filters)] == actions


def test_filter_by_who_ignores_case(log):
    assert read(log, who="BOB") == [("bob", "lesson.edit"), ("Bob", "user.remove")]
    assert read(log, who="an") == []


@pytest.mark.parametrize(
    ("action", "actions"),
    [
        ("user", ["user", "user.remove", "user.add"]),  # the family, not users.x
        ("user.add", ["user.add"]),
        ("users", ["users.x"]),
        ("lesson", ["lesson.edit"]),
        ("wo_rk", ["wo_rk.x"]),
        ("wo%", []),  # % is literal
        ("%", []),
        ("use_", []),  # _ is literal
        ("_ser", []),
        ("user.%", []),
    ],
)
def test_filter_by_action_family(log, action, actions):
    assert [a for _, a in read(log, action=action)] == actions


def test_filters_combine(log):
    assert read(log, who="ana", action="user", since="2026-01-01", until="2026-01-03") == [("ana", "user.add")]


@pytest.mark.parametrize(
    ("actor", "message"),
    [
        (None, "^Sign in to [a-z]"),
        (Actor("vic", "viewer"), "^A viewer may not read the audit log.$"),
        (Actor("fay", "facilitator"), "^A workshop facilitator may not read the audit log.$"),
        (Actor("cora", "coordinator", frozenset({1})), "^A pilot coordinator may not read the audit log.$"),
    ],
    ids=["anonymous", "viewer", "facilitator", "coordinator"],
)
def test_only_admins_read_the_log(log, actor, message):
    with pytest.raises(PermissionDenied, match=message):
        audit_entries(log, actor)


def test_reading_the_log_writes_nothing(log):
    count = entries(log)
    audit_entries(log, Actor("root", "admin"), action="user")
    assert entries(log) == count


# --- exports ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["=1+1", '=HYPERLINK("http://e.vil","x")', "+41 22", "-2+3", "-5", "@SUM(A1)", "\t=1", "\r=1", "=", "+"],
)
def test_neutralise_prefixes_formula_starts(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("value", ["plain", "", "1+1", "a=b", "'already", " x", -2, 3.5, 0, None, True])
def test_neutralise_leaves_everything_else(value):
    assert neutralise(value) is value or neutralise(value) == value


def test_to_csv_neutralises_text_and_leaves_numbers():
    frame = pd.DataFrame(
        {
            "actor": ["=cmd|'/c calc'!A0", "ana", "@ana", None],
            "object_id": ["-1", "+2", "3", "\tx"],
            "rows": [-1, 2, 3, 4],
            "share": [-0.5, 1.5, 0.0, -2.25],
        }
    )
    text = to_csv(frame)
    assert list(csv.reader(io.StringIO(text))) == [
        ["actor", "object_id", "rows", "share"],
        ["'=cmd|'/c calc'!A0", "'-1", "-1", "-0.5"],
        ["ana", "'+2", "2", "1.5"],
        ["'@ana", "3", "3", "0.0"],
        ["", "'\tx", "4", "-2.25"],
    ]
    assert text.endswith("\n") and "\r" not in text
    assert frame.loc[0, "actor"] == "=cmd|'/c calc'!A0"  # the frame itself is not changed
    assert neutralised(frame)["rows"].tolist() == [-1, 2, 3, 4]


# --- the command line -------------------------------------------------------------------------------------------


def test_cli_audit_on_the_demo_shows_the_demo_load(demo_db_path, capsys):
    assert main(["audit", "--db", str(demo_db_path)]) == EXIT_OK
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["at", "actor", "action", "object_type", "object_id", "rows"]
    assert [line for line in lines if "demo.load" in line]
    assert "demo loader" in "\n".join(lines)


def test_cli_audit_with_no_match(demo_db_path, capsys):
    assert main(["audit", "--since", "2999-01-01", "--db", str(demo_db_path)]) == EXIT_OK
    assert capsys.readouterr().out == "No audit entries match.\n"


@pytest.fixture
def hostile_log(demo_db_path):
    """The demo database plus an entry whose texts a spreadsheet would run."""
    db = connect(demo_db_path)
    record(
        db, '=HYPERLINK("http://e.vil","x")', "user.add", object_type="+user", object_id="-1", rows=3, detail={"k": 1}
    )
    db.close()
    return demo_db_path


def test_cli_audit_csv_is_neutralised(hostile_log, capsys):
    assert main(["audit", "--since", "2000-01-01", "--format", "csv", "--db", str(hostile_log)]) == EXIT_OK
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert list(rows[0]) == COLUMNS
    hostile = rows[0]  # the newest
    assert hostile["actor"] == '\'=HYPERLINK("http://e.vil","x")'
    assert (hostile["action"], hostile["object_type"], hostile["object_id"], hostile["rows"]) == (
        "user.add",
        "'+user",
        "'-1",
        "3",
    )
    assert json.loads(hostile["detail"]) == {"k": 1}
    assert any(r["action"] == "demo.load" for r in rows)
    assert not [cell for r in rows for cell in r.values() if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]


def test_cli_audit_json_is_valid(hostile_log, capsys):
    assert main(["audit", "--format", "json", "--action", "demo", "--db", str(hostile_log)]) == EXIT_OK
    found = json.loads(capsys.readouterr().out)
    assert [(e["actor"], e["action"], e["object_type"]) for e in found] == [("demo loader", "demo.load", "store")]
    assert set(found[0]) == set(COLUMNS)
    assert json.loads(found[0]["detail"])["pilots"] > 0


def test_cli_audit_filters_by_user_and_limit(hostile_log, capsys):
    assert main(["audit", "--user", "DEMO LOADER", "--limit", "5", "--format", "json", "--db", str(hostile_log)]) == 0
    found = json.loads(capsys.readouterr().out)
    assert 1 <= len(found) <= 5
    assert {e["actor"] for e in found} == {"demo loader"}
