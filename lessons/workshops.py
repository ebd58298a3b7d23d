"""Validation workshops: preparation and the open → closed lifecycle (facilitators and admins).

Voting, results and Pol.is interoperability build on this module.
"""

from __future__ import annotations

import secrets

from sqlite_utils import Database

from lessons.audit import record
from lessons.permissions import Actor, authorize

#: Join codes use characters that cannot be confused when read aloud or typed: no 0/O, no 1/I/L.
JOIN_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6


class WorkshopError(ValueError):
    """A workshop step that cannot be taken now; the message says why."""


def new_join_code(db: Database) -> str:
    """A join code no workshop uses yet.

    >>> from lessons.store import open_memory_store
    >>> code = new_join_code(open_memory_store())
    >>> len(code) == CODE_LENGTH and set(code) <= set(JOIN_ALPHABET)
    True
    """
    while True:
        code = "".join(secrets.choice(JOIN_ALPHABET) for _ in range(CODE_LENGTH))
        if not db.execute("SELECT 1 FROM workshops WHERE code = ?", [code]).fetchone():
            return code


def create_workshop(
    db: Database, actor: Actor, title: str, *, purpose: str | None = None, allow_submissions: bool = False
) -> str:
    """Prepare a workshop in draft; return its join code."""
    authorize(actor, "workshop.manage")
    if not (title or "").strip():
        raise WorkshopError("A workshop needs a title.")
    with db.atomic():
        code = new_join_code(db)
        db.execute(
            "INSERT INTO workshops (code, title, purpose, allow_submissions, created_by) VALUES (?, ?, ?, ?, ?)",
            [code, title.strip(), purpose, int(allow_submissions), actor.user_id],
        )
        record(db, actor, "workshop.create", object_type="workshop", object_id=code, rows=1, detail={"title": title})
    return code


def _set_status(db: Database, actor: Actor, code: str, status: str, allowed_from: tuple[str, ...], stamp: str) -> None:
    authorize(actor, "workshop.manage")
    with db.atomic():
        row = db.execute("SELECT status FROM workshops WHERE code = ?", [code]).fetchone()
        if row is None:
            raise WorkshopError(f"There is no workshop with the code {code}.")
        if row[0] not in allowed_from:
            raise WorkshopError(f"The workshop is {row[0]}; it cannot be {status} now.")
        db.execute(
            f"UPDATE workshops SET status = ?, {stamp} = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE code = ?",
            [status, code],
        )
        record(
            db,
            actor,
            f"workshop.{'open' if status == 'open' else 'close'}",
            object_type="workshop",
            object_id=code,
            rows=1,
        )


def open_workshop(db: Database, actor: Actor, code: str) -> None:
    """Open a draft (or reopen a closed) workshop for voting."""
    _set_status(db, actor, code, "open", ("draft", "closed"), "opened_at")


def close_workshop(db: Database, actor: Actor, code: str) -> None:
    """Close an open workshop: no more votes."""
    _set_status(db, actor, code, "closed", ("open",), "closed_at")
