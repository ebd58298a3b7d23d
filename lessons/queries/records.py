"""One record in full: a lesson with its themes, groups, status history and validation; a pilot and its lessons.

Also the demo notice and the vocabularies.
"""

from __future__ import annotations

import pandas as pd
from sqlite_utils import Database

from lessons.i18n import _
from lessons.lifecycle import status_history
from lessons.privacy import public_workshop
from lessons.store import NOT_CLASSIFIED
from lessons.store import frame as _frame


def lesson_detail(db: Database, lesson_id: int) -> dict | None:
    """Return everything about one lesson.

    Its fields, pilot, themes, stakeholder groups, provenance, model links, workshop validation results (``validation``:
    the records of :func:`lesson_validation`) and the public record of its status (``status_history``: the records of
    :func:`lessons.lifecycle.status_history`, no account ids).
    """
    cursor = db.execute(
        """
        SELECT l.*, p.slug AS pilot, p.name AS pilot_name, p.country, p.city, m.name AS methodology,
               ph.name AS phase_name, u.filename AS upload_file, u.uploaded_at AS upload_at, u.username AS upload_by
        FROM lessons l JOIN pilots p ON p.id = l.pilot_id
        LEFT JOIN methodologies m ON m.code = p.methodology
        LEFT JOIN phases ph ON ph.code = l.phase
        LEFT JOIN uploads u ON u.id = l.upload_id
        WHERE l.id = ?
        """,
        [int(lesson_id)],
    )
    row = cursor.fetchone()
    if row is None:
        return None
    detail = dict(zip([c[0] for c in cursor.description], row))
    themes = db.execute(
        "SELECT t.code, t.name FROM lesson_themes lt JOIN themes t ON t.id = lt.theme_id WHERE lt.lesson_id = ? ORDER BY t.name",
        [int(lesson_id)],
    ).fetchall()
    groups = db.execute(
        "SELECT s.code, s.name FROM lesson_groups g JOIN sectors s ON s.code = g.sector WHERE g.lesson_id = ? ORDER BY s.name",
        [int(lesson_id)],
    ).fetchall()
    detail["themes"], detail["theme_codes"] = [t[1] for t in themes], [t[0] for t in themes]
    detail["groups"], detail["group_codes"] = [g[1] for g in groups], [g[0] for g in groups]
    detail["elements"] = _frame(
        db,
        """SELECT gm.name AS model, e.name AS element, le.stance
           FROM lesson_elements le JOIN model_elements e ON e.id = le.element_id
           JOIN governance_models gm ON gm.id = e.model_id
           WHERE le.lesson_id = ? AND le.status = 'accepted' AND e.version = gm.version
           ORDER BY gm.name, e.position""",
        [int(lesson_id)],
    ).to_dict("records")
    detail["validation"] = lesson_validation(db, lesson_id).to_dict("records")
    detail["status_history"] = status_history(db, lesson_id).to_dict("records")
    detail["actors"] = _frame(
        db,
        """SELECT s.id, s.key, s.name, sec.name AS sector_name, s.hard_to_reach, s.role
           FROM lesson_stakeholders ls JOIN stakeholders s ON s.id = ls.stakeholder_id
           LEFT JOIN sectors sec ON sec.code = s.sector WHERE ls.lesson_id = ? ORDER BY s.name""",
        [int(lesson_id)],
    ).to_dict("records")
    return detail


def lesson_validation(db: Database, lesson_id: int) -> pd.DataFrame:
    """How workshops voted on statements drawn from a lesson, per workshop and round.

    Votes on every approved statement whose ``lesson_id`` is the lesson are counted. A workshop that lists such a
    statement but has no vote on it yet appears with its current round and zero votes.

    Parameters
    ----------
    db : Database
        The store.
    lesson_id : int
        ``lessons.id``.

    Returns
    -------
    DataFrame
        Columns workshop_id, workshop (title), status (of the workshop), round, agree, disagree, pass, votes;
        workshops in the order they opened (or were prepared), rounds in order. Empty when no workshop used it.

    Examples
    --------
    >>> from lessons.store import open_memory_store
    >>> db = open_memory_store()
    >>> db["pilots"].insert({"id": 1, "slug": "p", "name": "P", "country": "FI"})  # doctest: +ELLIPSIS
    <Table pilots ...>
    >>> db["lessons"].insert({"id": 1, "pilot_id": 1, "key": "L01", "title": "T", "lesson": "L", "kind": "insight"})  # doctest: +ELLIPSIS
    <Table lessons ...>
    >>> db["workshops"].insert({"id": 1, "code": "ABCDEF", "title": "Spring workshop", "status": "closed"})  # doctest: +ELLIPSIS
    <Table workshops ...>
    >>> db["statements"].insert({"id": 1, "workshop_id": 1, "key": "S01", "text": "T", "lesson_id": 1})  # doctest: +ELLIPSIS
    <Table statements ...>
    >>> db["participants"].insert_all({"id": i, "workshop_id": 1, "token": f"t{i}"} for i in range(1, 6))  # doctest: +ELLIPSIS
    <Table participants ...>
    >>> db["votes"].insert_all({"participant_id": i, "statement_id": 1, "value": v} for i, v in ((1, 1), (2, 1), (3, -1)))  # doctest: +ELLIPSIS
    <Table votes ...>
    >>> lesson_validation(db, 1).to_dict("records")
    [{'workshop_id': 1, 'workshop': 'Spring workshop', 'status': 'closed', 'round': 1, 'agree': 2, 'disagree': 1, 'pass': 0, 'votes': 3}]
    >>> db.execute("DELETE FROM participants WHERE id = 5").rowcount  # four people: their votes are not shown
    1
    >>> lesson_validation(db, 1).empty
    True
    """
    return _frame(
        db,
        f"""
        SELECT w.id AS workshop_id, w.title AS workshop, w.status, coalesce(v.round, w.current_round) AS round,
               coalesce(sum(v.value = 1), 0) AS agree, coalesce(sum(v.value = -1), 0) AS disagree,
               coalesce(sum(v.value = 0), 0) AS pass, count(v.id) AS votes
        FROM statements s JOIN workshops w ON w.id = s.workshop_id
        LEFT JOIN votes v ON v.statement_id = s.id
        WHERE s.lesson_id = ? AND s.moderation = 'approved' AND {public_workshop("w")}
        GROUP BY w.id, coalesce(v.round, w.current_round)
        ORDER BY coalesce(w.opened_at, w.created_at), w.id, round
        """,
        [int(lesson_id)],
    )


def demo_notice(db: Database) -> str | None:
    """Return the illustrative-data notice when the store holds demo data still in force, else None.

    The notice is stored in English with the demo's upload; it is shown in the reader's language (it is a message).
    """
    row = db.execute(
        "SELECT note FROM uploads WHERE format IN ('demo', 'synthetic') AND status = 'applied' LIMIT 1"
    ).fetchone()
    return _(row[0]) if row and row[0] else (row[0] if row else None)


def pilot_record(db: Database, pilot_id: int) -> dict | None:
    """Every column of one pilot."""
    cursor = db.execute("SELECT * FROM pilots WHERE id = ?", [int(pilot_id)])
    row = cursor.fetchone()
    return None if row is None else dict(zip([c[0] for c in cursor.description], row))


def pilot_lessons(db: Database, pilot_id: int) -> pd.DataFrame:
    """List a pilot's lessons in key order: id, key, title, kind, status."""
    return _frame(
        db, "SELECT id, key, title, kind, status FROM lessons WHERE pilot_id = ? ORDER BY key", [int(pilot_id)]
    )


def vocabularies(db: Database) -> dict[str, pd.DataFrame]:
    """List codes and names of themes (not retired ones), phases, sectors and methodologies, for choosers.

    Columns code, name. ``groups`` are the sectors a person or a lesson's stakeholder group can be: every sector but
    *not classified*, which only an imported actor can have.
    """
    return {
        "themes": _frame(db, "SELECT code, name FROM themes WHERE retired = 0 ORDER BY name"),
        "phases": _frame(db, "SELECT code, name FROM phases ORDER BY position"),
        "sectors": _frame(db, "SELECT code, name FROM sectors ORDER BY name"),
        "groups": _frame(db, "SELECT code, name FROM sectors WHERE code <> ? ORDER BY name", [NOT_CLASSIFIED]),
        "methodologies": _frame(db, "SELECT code, name FROM methodologies ORDER BY name"),
    }
