"""One cleaning for every stored text (#13): each way text gets into the store keeps the same hostile payloads out.

Every payload goes through uploads, edits, workshops (title, purpose, statements, participants' suggestions), account
display names, Pol.is imports and bundle imports; the test compares what is stored with what
:func:`lessons.text.clean_text` promises.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest

from lessons import bundle
from lessons.accounts import add_user, update_user
from lessons.editing import create_pilot, update_lesson, update_pilot
from lessons.ingest.pipeline import run_import
from lessons.ingest.validate import Options
from lessons.permissions import cli_actor
from lessons.store import open_memory_store, open_store
from lessons.text import clean_text
from lessons.workshops import (
    WorkshopError,
    add_statements,
    create_workshop,
    join,
    open_workshop,
    set_allow_submissions,
    statements,
    submit_statement,
    workshop_by_code,
)
from lessons.workshops.polis import import_polis

CLI = cli_actor()
T0 = datetime(2030, 5, 6, 12, 0, 0, tzinfo=UTC)

#: (as typed or uploaded, as stored)
PAYLOADS = [
    ("Bus\x00 lanes work in winter", "Bus lanes work in winter"),
    ("Ring\x07 the bell before closing", "Ring the bell before closing"),
    ("Invoice \u202egnp.exe\u202c arrived late", "Invoice gnp.exe arrived late"),
    ("Isolate \u2066hidden\u2069 text here", "Isolate hidden text here"),
    ("\x1b[31mRed alert for the buses", "[31mRed alert for the buses"),
    ("C1\x85 and\x9b DEL\x7f removed too", "C1\n and DEL removed too"),
    ("Families 👨\u200d👩\u200d👧 ride bikes 🚲 together", "Families 👨\u200d👩\u200d👧 ride bikes 🚲 together"),
    ("市民参加のワークショップは有効です", "市民参加のワークショップは有効です"),
    ("Cafe\u0301 owners co-design menus", "Café owners co-design menus"),
]
#: For one-line fields (titles, names, statements) line breaks become spaces.
ONE_LINE = [(raw, stored.replace("\n", " ")) for raw, stored in PAYLOADS]
#: Statements fold runs of whitespace to one space, as before.
STATEMENTS = [" ".join(stored.split()) for _, stored in PAYLOADS]
LONG = "Long text " + "x" * 4990  # 5,000 characters


def test_the_payloads_are_what_clean_text_promises():
    assert [clean_text(raw) for raw, _ in PAYLOADS] == [stored for _, stored in PAYLOADS]
    assert [clean_text(raw, multiline=False) for raw, _ in ONE_LINE] == [stored for _, stored in ONE_LINE]
    assert clean_text(LONG) == LONG and len(LONG) == 5000


@pytest.fixture
def db():
    store = open_memory_store()
    create_pilot(store, CLI, "alpha", name="Alpha", country="FI")
    yield store
    store.close()


def lessons_csv(rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def test_uploads(db):
    rows = [
        {"key": f"L{n}", "title": f"Title {raw}", "lesson": raw, "kind": "insight"}
        for n, (raw, _) in enumerate(PAYLOADS)
    ]
    rows.append({"key": "L99", "title": "Long", "lesson": LONG, "kind": "insight"})
    run_import(db, CLI, [("lessons.csv", lessons_csv(rows))], Options(pilot="alpha"))
    stored = dict(db.execute("SELECT key, lesson FROM lessons").fetchall())
    assert stored == {f"L{n}": clean for n, (_, clean) in enumerate(PAYLOADS)} | {"L99": LONG}
    titles = [r[0] for r in db.execute("SELECT title FROM lessons WHERE key != 'L99' ORDER BY id")]
    assert titles == [f"Title {clean}" for _, clean in PAYLOADS]


def test_edits(db):
    lesson = db.execute(
        "INSERT INTO lessons (pilot_id, key, title, lesson, kind) VALUES (1, 'L1', 'T', 'L', 'insight')"
    ).lastrowid
    for raw, clean in PAYLOADS:
        update_lesson(db, CLI, lesson, title=raw, lesson=raw)
        update_pilot(db, CLI, 1, name=raw)
        assert db.execute("SELECT title, lesson FROM lessons WHERE id = ?", [lesson]).fetchone() == (clean, clean)
        assert db.execute("SELECT name FROM pilots WHERE id = 1").fetchone() == (clean,)
    update_lesson(db, CLI, lesson, lesson=LONG)
    assert db.execute("SELECT lesson FROM lessons WHERE id = ?", [lesson]).fetchone() == (LONG,)
    create_pilot(db, CLI, "beta", name=PAYLOADS[2][0], country="PT")
    assert db.execute("SELECT name FROM pilots WHERE slug = 'beta'").fetchone() == (PAYLOADS[2][1],)


def test_workshop_titles_purposes_and_statements(db):
    for (raw, clean), (_, one_line) in zip(PAYLOADS, ONE_LINE):
        code = create_workshop(db, CLI, raw, purpose=raw)
        assert (workshop_by_code(db, code)["title"], workshop_by_code(db, code)["purpose"]) == (one_line, clean)
    code = create_workshop(db, CLI, "Validation")
    keys = add_statements(db, CLI, code, texts=[raw for raw, _ in PAYLOADS])
    assert [s["text"] for s in statements(db, code) if s["key"] in keys] == STATEMENTS
    with pytest.raises(WorkshopError, match="at most 280 characters; this has 5,000"):
        add_statements(db, CLI, code, texts=[LONG])


def test_participants_suggestions(db):
    code = create_workshop(db, CLI, "Validation", allow_submissions=True)
    open_workshop(db, CLI, code)
    set_allow_submissions(db, CLI, code, True)
    for n, (raw, _) in enumerate(ONE_LINE):
        token = join(db, code, stakeholder_group="public")
        submit_statement(db, token, raw, now=T0 + timedelta(minutes=n))
    assert [s["text"] for s in statements(db, code, include_pending=True)] == STATEMENTS
    with pytest.raises(WorkshopError, match="at most 280 characters; this has 5,000"):
        submit_statement(db, join(db, code, stakeholder_group="public"), LONG)


def test_account_display_names(db):
    for n, (raw, clean) in enumerate(ONE_LINE):
        add_user(db, CLI, f"user{n}", "a long enough secret", role="viewer", display_name=raw)
        update_user(db, CLI, "user0", display_name=raw)
        assert db.execute("SELECT display_name FROM users WHERE username = ?", [f"user{n}"]).fetchone() == (clean,)
        assert db.execute("SELECT display_name FROM users WHERE username = 'user0'").fetchone() == (clean,)


def test_polis_imports(db):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["comment-id", "moderated", "comment-body"])
    # a NUL anywhere makes the Pol.is reader refuse the file; every other payload is cleaned
    payloads = [(raw, clean) for raw, clean in PAYLOADS if "\x00" not in raw] + [(LONG, LONG)]
    writer.writerows([n, 1, raw] for n, (raw, _) in enumerate(payloads, start=1))
    files = {"comments.csv": out.getvalue().encode(), "votes.csv": b"timestamp,comment-id,voter-id,vote\n1000,1,8,1\n"}
    code = import_polis(db, CLI, files, title="Imported \u202etitle")
    assert workshop_by_code(db, code)["title"] == "Imported title"
    assert [s["text"] for s in statements(db, code)] == [clean for _, clean in payloads]


def test_bundle_imports(db, tmp_path):
    """A bundle written elsewhere (or edited by hand) is cleaned on the way in."""
    for n, (raw, _) in enumerate([*PAYLOADS, (LONG, LONG)]):
        db.execute(
            "INSERT INTO lessons (pilot_id, key, title, lesson, kind) VALUES (1, ?, 'T', ?, 'insight')", [f"L{n}", raw]
        )
    db.conn.commit()
    target = open_store(tmp_path / "new.db")
    bundle.import_bundle(target, CLI, bundle.data_package_zip(db))
    stored = [r[0] for r in target.execute("SELECT lesson FROM lessons ORDER BY key")]
    assert sorted(stored) == sorted(clean for _, clean in [*PAYLOADS, (LONG, LONG)])
    target.close()
