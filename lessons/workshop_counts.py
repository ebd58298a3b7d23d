"""Prepare and count the store's side of the workshop load test (issue #16).

A demo store with one open workshop to vote in, and the counts that show whether any vote was lost or stored twice.
The load generator itself, which speaks Streamlit's protocol, is ``components.workshop_load``; this module keeps its
SQL in the domain layer.
"""

from __future__ import annotations

import os
from contextlib import closing

from sqlite_utils import Database

from lessons import workshops
from lessons.demo import load_demo
from lessons.permissions import cli_actor
from lessons.store import connect, open_store

LOAD_TITLE = "Load test workshop"


def load_statements(n: int) -> list[str]:
    """``n`` distinct statement texts for a load-test workshop.

    >>> load_statements(2)
    ['Load statement 1: residents should co-design the services they use.', 'Load statement 2: residents should co-design the services they use.']
    """
    return [f"Load statement {i}: residents should co-design the services they use." for i in range(1, n + 1)]


def seed_load_workshop(db: Database, statements: int = 30) -> str:
    """Create, fill with ``statements`` statements and open a workshop in ``db``; return its join code.

    >>> from lessons.store import open_memory_store
    >>> db = open_memory_store()
    >>> code = seed_load_workshop(db, 3)
    >>> workshop_counts(db, code)
    {'statements': 3, 'participants': 0, 'votes': 0, 'duplicates': 0}
    """
    actor = cli_actor()
    code = workshops.create_workshop(db, actor, LOAD_TITLE, purpose="Measuring the server under a room's load.")
    workshops.add_statements(db, actor, code, texts=load_statements(statements))
    workshops.open_workshop(db, actor, code)
    return code


def create_load_store(path: str | os.PathLike, statements: int = 30) -> str:
    """Make a fresh store at ``path`` with one open workshop of ``statements`` statements; return its join code.

    The store holds the demo consortium, so the join form has its stakeholder groups.
    """
    with closing(open_store(path)) as db:
        load_demo(db)
        code = seed_load_workshop(db, statements)
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return code


def workshop_counts(db: Database, code: str) -> dict[str, int]:
    """Count the statements, participants and stored votes of workshop ``code``, and the votes stored twice.

    A vote stored twice is one for the same participant, statement and round (the schema forbids it; the load test
    checks it anyway).
    """
    workshop_id = db.execute("SELECT id FROM workshops WHERE code = ?", [code]).fetchone()[0]
    statements = db.execute("SELECT count(*) FROM statements WHERE workshop_id = ?", [workshop_id]).fetchone()[0]
    participants = db.execute("SELECT count(*) FROM participants WHERE workshop_id = ?", [workshop_id]).fetchone()[0]
    votes, distinct = db.execute(
        """SELECT count(*), count(DISTINCT v.participant_id || '/' || v.statement_id || '/' || v.round)
           FROM votes v JOIN participants p ON p.id = v.participant_id WHERE p.workshop_id = ?""",
        [workshop_id],
    ).fetchone()
    return {"statements": statements, "participants": participants, "votes": votes, "duplicates": votes - distinct}


def stored_counts(path: str | os.PathLike, code: str) -> dict[str, int]:
    """:func:`workshop_counts` on a read-only connection to the store at ``path``."""
    with closing(connect(path, readonly=True)) as db:
        return workshop_counts(db, code)
