"""Link lessons and pilots to the methods and tools they used, with who linked them.

An administrator or editor (``catalogue.edit``) links any lesson or pilot; a coordinator links the lessons and the
pilot they coordinate (``lesson.edit``, ``pilot.edit``); a viewer links nothing. Each call is one transaction,
recorded in the audit log as ``catalogue.link`` (or ``catalogue.unlink``).
"""

from __future__ import annotations

from sqlite_utils import Database

from lessons.audit import record
from lessons.catalogue.records import CatalogueError
from lessons.permissions import Actor, authorize, can

__all__ = ["entry_id", "link_lessons", "link_pilots", "resolve_lessons"]


def entry_id(db: Database, code: str) -> int:
    """Return the id of the entry ``code``, or raise :class:`CatalogueError` naming it.

    >>> from lessons.store import open_memory_store
    >>> entry_id(open_memory_store(), "world-cafe") > 0
    True
    """
    row = db.execute("SELECT id FROM catalogue_entries WHERE code = ?", [str(code)]).fetchone()
    if row is None:
        raise CatalogueError(f"There is no entry {code!r} in the catalogue (see `python -m lessons catalogue list`).")
    return row[0]


def resolve_lessons(db: Database, refs) -> list[int]:
    """Return the ids of lessons given by id or as ``PILOT:KEY`` (e.g. ``tampere:L03``), in order.

    Raises :class:`CatalogueError` naming every reference that finds no lesson.
    """
    found, missing = [], []
    for ref in refs:
        ref = str(ref).strip()
        if ":" in ref:
            slug, key = ref.split(":", 1)
            row = db.execute(
                "SELECT l.id FROM lessons l JOIN pilots p ON p.id = l.pilot_id WHERE p.slug = ? AND l.key = ?",
                [slug, key],
            ).fetchone()
        else:
            row = db.execute("SELECT id FROM lessons WHERE id = ?", [int(ref) if ref.isdigit() else -1]).fetchone()
        if row is None:
            missing.append(ref)
        elif row[0] not in found:
            found.append(row[0])
    if missing:
        raise CatalogueError(f"No lesson {', '.join(missing)} (give a lesson's id, or PILOT:KEY such as tampere:L03).")
    return found


def _change(db, actor, table, column, ids, code, unlink, pilot_sql, action, what):
    entry = entry_id(db, code)
    pilots = {}
    for object_id in ids:
        row = db.execute(pilot_sql, [object_id]).fetchone()
        if row is None:
            raise CatalogueError(f"There is no {what} {object_id}.")
        pilots[object_id] = row[0]
    if not pilots:
        raise CatalogueError(f"Name at least one {what} to link.")
    if not can(actor, "catalogue.edit"):
        for pilot_id in sorted(set(pilots.values())):
            authorize(actor, action, pilot_id)
    changed = 0
    with db.atomic():
        for object_id in pilots:
            if unlink:
                cursor = db.execute(f"DELETE FROM {table} WHERE {column} = ? AND entry_id = ?", [object_id, entry])
            else:
                cursor = db.execute(
                    f"INSERT OR IGNORE INTO {table} ({column}, entry_id, linked_by) VALUES (?, ?, ?)",
                    [object_id, entry, actor.username],
                )
            changed += cursor.rowcount
        record(
            db, actor, "catalogue.unlink" if unlink else "catalogue.link", object_type=table, object_id=code,
            rows=changed, detail={column: list(pilots)},
        )  # fmt: skip
    return changed


def link_lessons(db: Database, actor: Actor | None, lesson_ids, code: str, *, unlink: bool = False) -> int:
    """Link lessons to the entry ``code`` (or, with ``unlink``, remove the links); return how many changed.

    Linking twice changes nothing the second time. A coordinator may link only lessons of their own pilots.

    Examples
    --------
    >>> from lessons.store import open_memory_store
    >>> db = open_memory_store()
    >>> pilot = db["pilots"].insert({"slug": "a", "name": "A", "country": "FI"}).last_pk
    >>> lesson = db["lessons"].insert({"pilot_id": pilot, "key": "L1", "title": "T", "lesson": "x", "kind": "insight"}).last_pk
    >>> link_lessons(db, Actor("ed", "editor"), [lesson], "world-cafe"), link_lessons(db, Actor("ed", "editor"), [lesson], "world-cafe")
    (1, 0)
    >>> link_lessons(db, Actor("vic", "viewer"), [lesson], "world-cafe")
    Traceback (most recent call last):
    ...
    lessons.permissions.PermissionDenied: A viewer may not change this pilot's lessons.
    """
    return _change(
        db, actor, "lesson_methods", "lesson_id", [int(i) for i in lesson_ids], code, unlink,
        "SELECT pilot_id FROM lessons WHERE id = ?", "lesson.edit", "lesson",
    )  # fmt: skip


def link_pilots(db: Database, actor: Actor | None, pilot_ids, code: str, *, unlink: bool = False) -> int:
    """Link pilots to the entry ``code`` (or remove the links); return how many changed."""
    return _change(
        db, actor, "pilot_methods", "pilot_id", [int(i) for i in pilot_ids], code, unlink,
        "SELECT id FROM pilots WHERE id = ?", "pilot.edit", "pilot",
    )  # fmt: skip
