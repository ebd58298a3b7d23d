"""Workshop rooms: join codes, creating, opening, closing, finding and listing workshops.

A workshop goes ``draft`` → ``open`` → ``closed`` (a closed workshop may be reopened). This is a workshop's own
status; a lesson's status lifecycle (proposed, validated, contested …) lives in :mod:`lessons.lifecycle`.
Facilitators and admins run these steps (``workshop.manage``); each is audited.
"""

from __future__ import annotations

import re
import secrets

from sqlite_utils import Database

from lessons.audit import record
from lessons.i18n import _
from lessons.permissions import Actor, authorize
from lessons.text import clean_text

#: Join codes use characters that cannot be confused when read aloud or typed: no 0/O, no 1/I/L.
JOIN_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6


class WorkshopError(ValueError):
    """A workshop step that cannot be taken now; the message says why."""


def new_join_code(db: Database) -> str:
    """Make a join code no workshop uses yet.

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
    title = clean_text(title, multiline=False).strip()
    purpose = clean_text(purpose).strip() or None
    if not title:
        raise WorkshopError(_("A workshop needs a title."))
    with db.atomic():
        code = new_join_code(db)
        db.execute(
            "INSERT INTO workshops (code, title, purpose, allow_submissions, created_by) VALUES (?, ?, ?, ?, ?)",
            [code, title, purpose, int(allow_submissions), actor.user_id],
        )
        record(db, actor, "workshop.create", object_type="workshop", object_id=code, rows=1, detail={"title": title})
    return code


def _set_status(db: Database, actor: Actor, code: str, status: str, allowed_from: tuple[str, ...], stamp: str) -> None:
    authorize(actor, "workshop.manage")
    with db.atomic():
        code = normalise_code(code)
        row = db.execute("SELECT status FROM workshops WHERE code = ?", [code]).fetchone()
        if row is None:
            raise WorkshopError(_("There is no workshop with the code {code}.").format(code=code))
        if row[0] not in allowed_from:
            refusals = {
                ("open", "open"): _("The workshop is already open."),
                ("closed", "closed"): _("The workshop is already closed."),
                ("draft", "closed"): _("The workshop is a draft; it cannot be closed before it opens."),
            }
            raise WorkshopError(refusals.get((row[0], status), _("The workshop cannot change to that status now.")))
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


def normalise_code(code: str | None) -> str:
    """Normalise a join code as stored: capitals, without spaces or dashes.

    >>> normalise_code(" ab-c 23k ")
    'ABC23K'
    """
    return re.sub(r"[\s\-]+", "", str(code or "")).upper()


def _row(db: Database, sql: str, params) -> dict | None:
    cursor = db.execute(sql, list(params))
    row = cursor.fetchone()
    return None if row is None else dict(zip([c[0] for c in cursor.description], row))


def _rows(db: Database, sql: str, params=()) -> list[dict]:
    cursor = db.execute(sql, list(params))
    names = [c[0] for c in cursor.description]
    return [dict(zip(names, r)) for r in cursor.fetchall()]


def workshop_by_code(db: Database, code: str | None) -> dict | None:
    """Find the workshop with join ``code`` as a dict of its columns, or None; case, spaces and dashes do not matter.

    >>> from lessons.permissions import cli_actor
    >>> from lessons.store import open_memory_store
    >>> db = open_memory_store()
    >>> code = create_workshop(db, cli_actor(), "Validation")
    >>> workshop_by_code(db, code.lower())["status"], workshop_by_code(db, "nope")
    ('draft', None)
    """
    return _row(db, "SELECT * FROM workshops WHERE code = ?", [normalise_code(code)])


def _workshop(db: Database, code: str) -> dict:
    workshop = workshop_by_code(db, code)
    if workshop is None:
        raise WorkshopError(_("There is no workshop with the code {code}.").format(code=normalise_code(code)))
    return workshop


def workshop_list(db: Database) -> list[dict]:
    """List every workshop, newest first.

    Columns: code, title, status, current_round, allow_submissions, statements (approved), pending, participants, votes.

    >>> from lessons.store import open_memory_store
    >>> workshop_list(open_memory_store())
    []
    """
    return _rows(
        db,
        """SELECT w.code, w.title, w.purpose, w.status, w.current_round, w.allow_submissions,
                  (SELECT count(*) FROM statements s WHERE s.workshop_id = w.id AND s.moderation = 'approved')
                      AS statements,
                  (SELECT count(*) FROM statements s WHERE s.workshop_id = w.id AND s.moderation = 'pending')
                      AS pending,
                  (SELECT count(*) FROM participants p WHERE p.workshop_id = w.id) AS participants,
                  (SELECT count(*) FROM votes v JOIN participants p ON p.id = v.participant_id
                   WHERE p.workshop_id = w.id) AS votes
           FROM workshops w ORDER BY w.created_at DESC, w.id DESC""",
    )
