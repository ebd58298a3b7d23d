"""Deleting a pilot so that it can be undone: every row that goes with it is kept in ``deleted_pilots`` (#14).

What goes with a pilot is read from the schema, not listed by hand: every table whose foreign key reaches the pilot
(directly or through its lessons and stakeholders) with ``ON DELETE CASCADE`` loses rows, and every column that
reaches it with ``ON DELETE SET NULL`` loses the link (uploads, workshop participants, workshop statements drawn
from its lessons). Both are kept in the archive as they were, so an undo puts back exactly what went.
"""

from __future__ import annotations

import base64
import json

from sqlite_utils import Database

from lessons.audit import record
from lessons.editing_base import EditError
from lessons.editing_base import one_row as _one
from lessons.permissions import Actor, authorize

#: Tables never restored or archived: the log of what happened, and the archive itself.
_SKIP = {"audit_log", "deleted_pilots"}


def _references(db: Database) -> list[tuple[str, str, str, str, str]]:
    """(child table, child column, parent table, parent column, on_delete) for every foreign key in the store."""
    refs = []
    tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '%fts%'")]
    for table in tables:
        if table in _SKIP or table.startswith("sqlite_"):
            continue
        for fk in db.execute(f"PRAGMA foreign_key_list([{table}])").fetchall():
            # id, seq, table, from, to, on_update, on_delete, match
            refs.append((table, fk[3], fk[2], fk[4] or "id", fk[6].upper()))
    return refs


def _encode(value):
    return {"$bytes": base64.b64encode(value).decode("ascii")} if isinstance(value, bytes) else value


def _decode(value):
    return base64.b64decode(value["$bytes"]) if isinstance(value, dict) else value


def _rows(db: Database, table: str, where: str, params) -> list[dict]:
    cursor = db.execute(f"SELECT rowid AS [$rowid], * FROM [{table}] WHERE {where}", list(params))
    names = [c[0] for c in cursor.description]
    return [{k: _encode(v) for k, v in zip(names, row)} for row in cursor.fetchall()]


def collect(db: Database, pilot_id: int) -> dict:
    """Collect what deleting pilot ``pilot_id`` removes and unlinks, without changing anything.

    Returns
    -------
    dict
        ``{"rows": {table: [row, ...]}, "unlinked": {table: [[rowid, column, value], ...]}, "order": [table, ...]}``
        where each row carries its ``$rowid`` and ``order`` lists the tables parents first.

    Examples
    --------
    >>> from lessons.store import open_memory_store
    >>> db = open_memory_store()
    >>> collect(db, 1)["rows"]
    {}
    """
    refs = _references(db)
    rows: dict[str, dict[int, dict]] = {}
    depth: dict[str, int] = {}
    unlinked: dict[str, dict[tuple, list]] = {}
    found = _rows(db, "pilots", "id = ?", [pilot_id])
    if not found:
        return {"rows": {}, "unlinked": {}, "order": []}
    rows["pilots"] = {r["$rowid"]: r for r in found}
    depth["pilots"] = 0
    frontier = {"pilots"}
    while frontier:
        changed = set()
        for child, column, parent, parent_column, on_delete in refs:
            if parent not in frontier or parent not in rows:
                continue
            values = sorted({r[parent_column] for r in rows[parent].values() if r.get(parent_column) is not None})
            if not values:
                continue
            where = f"[{column}] IN ({', '.join('?' * len(values))})"
            if on_delete == "CASCADE":
                bucket = rows.setdefault(child, {})
                new = [r for r in _rows(db, child, where, values) if r["$rowid"] not in bucket]
                bucket.update({r["$rowid"]: r for r in new})
                if new or depth.get(child, -1) < depth[parent] + 1:
                    depth[child] = max(depth.get(child, 0), depth[parent] + 1)
                    changed.add(child)
            elif on_delete == "SET NULL":
                for r in _rows(db, child, where, values):
                    unlinked.setdefault(child, {})[(r["$rowid"], column)] = [r["$rowid"], column, r[column]]
        frontier = changed
    # a row removed anyway needs no link restored
    unlinked = {
        t: [v for (rowid, _), v in links.items() if rowid not in rows.get(t, {})] for t, links in unlinked.items()
    }
    order = sorted((t for t in rows if rows[t]), key=lambda t: (depth[t], t))
    return {
        "rows": {t: list(rows[t].values()) for t in order},
        "unlinked": {t: v for t, v in unlinked.items() if v},
        "order": order,
    }


def deletion_summary(db: Database, pilot_id: int) -> dict[str, int]:
    """How many rows of each kind go with a pilot, and how many links are cut, for the confirmation.

    Keys: lessons, stakeholders, ties, links (lesson–theme, –group, –stakeholder and –element links), uploads
    (kept, but lose the pilot), statements (workshop statements drawn from its lessons: kept, lose the link),
    participants (workshop participants who named the pilot: kept, lose it), accounts (coordinator assignments).
    """
    archive = collect(db, pilot_id)
    rows, unlinked = archive["rows"], archive["unlinked"]

    def n(table: str) -> int:
        return len(rows.get(table, []))

    return {
        "lessons": n("lessons"),
        "stakeholders": n("stakeholders"),
        "ties": n("ties"),
        "links": n("lesson_themes") + n("lesson_groups") + n("lesson_stakeholders") + n("lesson_elements"),
        "uploads": len(unlinked.get("uploads", [])),
        "statements": len(unlinked.get("statements", [])),
        "participants": len(unlinked.get("participants", [])),
        "accounts": n("user_pilots"),
    }


def delete_pilot(db: Database, actor: Actor, pilot_id: int, *, confirm_slug: str | None = None) -> int:
    """Delete a pilot and everything that goes with it, keeping it all in ``deleted_pilots``; return the rows removed.

    With ``confirm_slug`` given, it must be the pilot's slug (what the page asks the user to type).

    Examples
    --------
    >>> from lessons.store import open_memory_store
    >>> from lessons.editing import create_pilot
    >>> db, root = open_memory_store(), Actor("root", "admin")
    >>> pid = create_pilot(db, root, "porto-housing", name="Porto", country="PT")
    >>> delete_pilot(db, root, pid, confirm_slug="porto-housing")
    1
    >>> restore_pilot(db, root, last_deletion(db, "porto-housing"))
    1
    """
    authorize(actor, "pilot.delete")
    with db.atomic():
        pilot = _one(db, "SELECT slug, name FROM pilots WHERE id = ?", [pilot_id])
        if pilot is None:
            raise EditError("That pilot no longer exists.")
        if confirm_slug is not None and confirm_slug.strip() != pilot["slug"]:
            raise EditError(f"Type the pilot's slug, {pilot['slug']}, to confirm; nothing was deleted.")
        archive = collect(db, pilot_id)
        count = sum(len(v) for v in archive["rows"].values())
        db.execute("DELETE FROM pilots WHERE id = ?", [pilot_id])
        db.execute(
            "INSERT INTO deleted_pilots (pilot_id, slug, name, deleted_by, rows, archive) VALUES (?, ?, ?, ?, ?, ?)",
            [pilot_id, pilot["slug"], pilot["name"], actor.username, count, json.dumps(archive, ensure_ascii=False)],
        )
        record(
            db, actor, "pilot.delete", object_type="pilot", object_id=pilot["slug"], rows=count,
            detail={t: len(v) for t, v in archive["rows"].items()}
            | {f"unlinked {t}": len(v) for t, v in archive["unlinked"].items()},
        )  # fmt: skip
    return count


def deleted_pilots(db: Database) -> list[dict]:
    """List deletions not yet undone (newest first): id, pilot_id, slug, name, deleted_at, deleted_by, rows."""
    cursor = db.execute(
        """SELECT id, pilot_id, slug, name, deleted_at, deleted_by, rows FROM deleted_pilots
           WHERE restored_at IS NULL ORDER BY id DESC"""
    )
    names = [c[0] for c in cursor.description]
    return [dict(zip(names, r)) for r in cursor.fetchall()]


def last_deletion(db: Database, slug: str) -> int | None:
    """Return the id of the latest deletion of ``slug`` not yet undone, or None."""
    row = db.execute("SELECT max(id) FROM deleted_pilots WHERE slug = ? AND restored_at IS NULL", [slug]).fetchone()
    return row[0]


def restore_pilot(db: Database, actor: Actor, deletion_id: int) -> int:
    """Undo a pilot's deletion: put back every row that went with it, with the same ids, and the links that were cut.

    Returns the rows restored. Refused (nothing written) if the slug or any of the ids was taken since.
    """
    authorize(actor, "pilot.delete")
    with db.atomic():
        entry = _one(db, "SELECT * FROM deleted_pilots WHERE id = ?", [int(deletion_id)])
        if entry is None or entry["restored_at"]:
            raise EditError("That deletion does not exist or was undone already.")
        if db.execute("SELECT 1 FROM pilots WHERE slug = ?", [entry["slug"]]).fetchone():
            raise EditError(
                f"A pilot called {entry['slug']!r} was created since; rename or delete it before undoing. "
                "Nothing was restored."
            )
        archive = json.loads(entry["archive"])
        for table in archive["order"]:
            for row in archive["rows"][table]:
                if db.execute(f"SELECT 1 FROM [{table}] WHERE rowid = ?", [row["$rowid"]]).fetchone():
                    raise EditError(
                        f"A row of {table} (id {row['$rowid']}) was reused since the deletion, so it cannot be "
                        "restored exactly. Nothing was restored."
                    )
        count = 0
        for table in archive["order"]:
            for row in archive["rows"][table]:
                columns = [k for k in row if k != "$rowid"]
                db.execute(
                    f"INSERT INTO [{table}] (rowid, {', '.join(f'[{c}]' for c in columns)}) "
                    f"VALUES (?, {', '.join('?' * len(columns))})",
                    [row["$rowid"], *(_decode(row[c]) for c in columns)],
                )
                count += 1
        for table, links in archive["unlinked"].items():
            for rowid, column, value in links:
                db.execute(
                    f"UPDATE [{table}] SET [{column}] = ? WHERE rowid = ? AND [{column}] IS NULL", [value, rowid]
                )
        db.execute(
            "UPDATE deleted_pilots SET restored_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), restored_by = ? "
            "WHERE id = ?",
            [actor.username, entry["id"]],
        )
        record(db, actor, "pilot.restore", object_type="pilot", object_id=entry["slug"], rows=count)
    return count
