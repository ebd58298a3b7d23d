"""The audit log: every write records who, when, what and how many rows.

Write functions call :func:`record` inside their own transaction, so a change and its audit entry are committed
together or not at all.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pandas as pd
from sqlite_utils import Database

from lessons.permissions import Actor, authorize


def record(
    db: Database,
    actor: Actor | str,
    action: str,
    *,
    object_type: str | None = None,
    object_id=None,
    rows: int = 0,
    detail: dict | None = None,
    at: str | None = None,
) -> None:
    """Append one entry to the audit log (in the caller's transaction).

    >>> from lessons.store import open_memory_store
    >>> db = open_memory_store()
    >>> record(db, "cli:ana", "demo.load", rows=3)
    >>> db.execute("SELECT actor, action, rows FROM audit_log").fetchall()
    [('cli:ana', 'demo.load', 3)]
    """
    username = actor if isinstance(actor, str) else actor.username
    user_id = None if isinstance(actor, str) else actor.user_id
    db.execute(
        """INSERT INTO audit_log (user_id, actor, action, object_type, object_id, rows, detail, at)
           VALUES (?, ?, ?, ?, ?, ?, ?, coalesce(?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')))""",
        [
            user_id,
            username,
            action,
            object_type,
            None if object_id is None else str(object_id),
            int(rows),
            json.dumps(detail, ensure_ascii=False, sort_keys=True, default=str) if detail else None,
            at,
        ],
    )


def _since_text(since: date | datetime | str | None) -> str | None:
    if since is None or since == "":
        return None
    if isinstance(since, datetime):
        if since.tzinfo is not None:  # the log is kept in UTC
            since = since.astimezone(UTC).replace(tzinfo=None)
        return since.strftime("%Y-%m-%dT%H:%M:%S")
    if isinstance(since, date):
        return since.isoformat()
    return date.fromisoformat(str(since)[:10]).isoformat() + str(since)[10:]


def audit_entries(
    db: Database,
    actor: Actor,
    *,
    since=None,
    until=None,
    who: str | None = None,
    action: str | None = None,
    limit: int | None = None,
) -> pd.DataFrame:
    """Audit entries, newest first, filtered by time, who and action prefix (admins only).

    ``since`` and ``until`` are ISO dates or datetimes; ``until`` is inclusive of its whole day when a date.
    """
    authorize(actor, "audit.read")
    where, params = [], []
    if (start := _since_text(since)) is not None:
        where.append("at >= ?")
        params.append(start)
    if (end := _since_text(until)) is not None:
        where.append("at < ?" if len(end) > 10 else "at < date(?, '+1 day')")
        params.append(end)
    if who:
        where.append("actor = ? COLLATE NOCASE")
        params.append(who)
    if action:
        where.append("(action = ? OR action LIKE ? ESCAPE '\\')")
        params += [action, action.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + ".%"]
    sql = f"""SELECT id, at, actor, action, object_type, object_id, rows, detail FROM audit_log
              {"WHERE " + " AND ".join(where) if where else ""} ORDER BY at DESC, id DESC
              {"LIMIT ?" if limit is not None else ""}"""
    if limit is not None:
        params.append(int(limit))
    cursor = db.execute(sql, params)
    return pd.DataFrame(cursor.fetchall(), columns=[c[0] for c in cursor.description])
