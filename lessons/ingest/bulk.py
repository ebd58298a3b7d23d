"""A long run of new lessons written at once: the same rows, images and index entries as one by one, in bulk.

Written one by one, every new lesson fires seven triggers (its two full-text indexes, the data version of each row
of ``lessons``, ``lesson_themes``, ``lesson_groups`` and ``lesson_status_history``, and the theme counts), and most
of a large upload's time went there. Here those triggers are dropped inside the commit's transaction, the rows are
written with one prepared statement per table, and what the triggers would have done is done once for the run:
each index gets the run's rows in one ``INSERT … SELECT``, each data version grows by the rows written, the theme
counts by the links written. The triggers are then created again from their own text, in the same transaction, so a
failure or a killed process leaves them (and everything else) as they were.

The run is written only when the triggers are exactly those :data:`PAUSED_FINGERPRINT` was taken from; a migration
that changes one makes :func:`paused_triggers` return None and the commit writes row by row, as before.
``tests/test_ingest_bulk.py`` checks that both ways leave the same store.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from itertools import islice
from operator import itemgetter

from sqlite_utils import Database

from lessons.ingest.images import dicts
from lessons.visibility import AUDIENCE_SQL

__all__ = ["BULK_ROWS", "PAUSED_FINGERPRINT", "insert_lessons", "paused_triggers", "trigger_fingerprint"]

#: The fewest new lessons in a row (in the commit's order) written in bulk; shorter runs go row by row.
BULK_ROWS = 500
#: The rows written (and held) at a time.
STEP = 2_000
#: The tables whose insert triggers a bulk run pauses.
PAUSED_TABLES = ("lessons", "lesson_themes", "lesson_groups", "lesson_status_history")
#: :func:`trigger_fingerprint` of the insert triggers :func:`insert_lessons` knows how to stand in for.
PAUSED_FINGERPRINT = "ba26d892c7acb080"
_LESSON_VALUES = ("title", "lesson", "context", "recommendation", "kind", "phase", "evidence_source",
                  "evidence_strength", "status", "language", "recorded_on", "pilot_id", "key", "upload_id",
                  "created_at")  # fmt: skip
_lesson_values = itemgetter(*_LESSON_VALUES)
_SEARCHED = ("title", "lesson", "context", "recommendation")
#: Columns an upload leaves to their default, written as that default (so the after-images need no read back).
_DEFAULTED = {"visibility": "public"}


def _insert_triggers(db: Database) -> list[tuple[str, str]]:
    """Return (name, SQL) of every trigger that fires on an insert into :data:`PAUSED_TABLES`, by name."""
    rows = db.execute(
        f"""SELECT name, sql FROM sqlite_master WHERE type = 'trigger'
            AND tbl_name IN ({", ".join("?" * len(PAUSED_TABLES))}) ORDER BY name""",
        PAUSED_TABLES,
    ).fetchall()
    return [(name, sql) for name, sql in rows if " INSERT ON " in " ".join(sql.upper().split())]


def trigger_fingerprint(triggers: list[tuple[str, str]]) -> str:
    """Return a short digest of triggers' names and SQL (whitespace aside)."""
    text = "\n".join(f"{name}: {' '.join(sql.split())}" for name, sql in triggers)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def paused_triggers(db: Database) -> list[tuple[str, str]] | None:
    """Return the insert triggers a bulk run pauses, or None when they are not the ones it stands in for."""
    triggers = _insert_triggers(db)
    return triggers if trigger_fingerprint(triggers) == PAUSED_FINGERPRINT else None


def insert_lessons(
    db: Database,
    rows: Iterable[dict],
    count: int,
    triggers: list[tuple[str, str]],
    *,
    history: Callable[[list[int], list[str]], None] | None = None,
    log: Callable[[list[tuple[int, dict]]], None],
) -> range:
    """Insert ``count`` new lessons (``rows`` as :func:`lessons.ingest.commit._row_for` makes them); return their ids.

    Inside the caller's transaction: ``triggers`` (from :func:`paused_triggers`) are dropped, the rows written with
    their theme and group links, :data:`STEP` at a time (so that only those are held), the triggers' work done for
    the whole run, and the triggers created again. ``history(ids, statuses)`` writes the lessons' first status;
    ``log`` receives (id, after image) pairs in order, each image as :func:`lessons.ingest.images.row_image` reads it.
    """
    first = (db.execute("SELECT max(id) FROM lessons").fetchone()[0] or 0) + 1
    ids = range(first, first + count)  # what SQLite gives one by one: the largest id plus one
    for name, _ in triggers:
        db.execute(f'DROP TRIGGER "{name}"')
    conn = db.conn
    columns = _stored_as(db)
    written, rows = 0, iter(rows)
    for start in range(0, count, STEP):
        chunk, chunk_ids = list(islice(rows, STEP)), ids[start : start + STEP]
        conn.executemany(
            f"INSERT INTO lessons (id, {', '.join((*_LESSON_VALUES, *_DEFAULTED))}) "
            f"VALUES (?{', ?' * (len(_LESSON_VALUES) + len(_DEFAULTED))})",
            (
                (row_id, *_lesson_values(row), *(row.get(k) or v for k, v in _DEFAULTED.items()))
                for row_id, row in zip(chunk_ids, chunk, strict=True)
            ),
        )
        themes = [(row_id, t) for row_id, row in zip(chunk_ids, chunk) for t in row["_themes"]]
        conn.executemany("INSERT INTO lesson_themes (lesson_id, theme_id) VALUES (?, ?)", themes)
        groups = [(row_id, g) for row_id, row in zip(chunk_ids, chunk) for g in row["_groups"]]
        conn.executemany("INSERT INTO lesson_groups (lesson_id, sector) VALUES (?, ?)", groups)
        if history:
            history(list(chunk_ids), [row["status"] for row in chunk])
        written += len(chunk) + len(themes) + len(groups) + (len(chunk) if history else 0)
        log(_images(db, columns, chunk_ids, chunk))
    for index in ("lessons_fts", "lessons_words"):
        db.execute(
            f"""INSERT INTO {index} (rowid, title, lesson, context, recommendation)
                SELECT id, title, lesson, context, recommendation FROM lessons WHERE id BETWEEN ? AND ? ORDER BY id""",
            [ids[0], ids[-1]],
        )
    db.execute(  # the stems of each lesson not in English, in its own language (m022)
        f"""INSERT INTO lessons_stems (rowid, title, lesson, context, recommendation, lesson_id, language)
            SELECT id, {", ".join(f"lessons_stems({c}, language)" for c in _SEARCHED)}, id, language
            FROM lessons WHERE id BETWEEN ? AND ? AND lower(substr(coalesce(language, 'en'), 1, 2)) <> 'en'
            ORDER BY id""",
        [ids[0], ids[-1]],
    )
    db.execute(
        f"""INSERT INTO lesson_theme_counts (pilot_id, theme_id, kind, audience, lessons)
           SELECT l.pilot_id, lt.theme_id, l.kind, l.audience, count(*)
           FROM lesson_themes lt JOIN (SELECT id, pilot_id, kind, {AUDIENCE_SQL} AS audience FROM lessons) l
             ON l.id = lt.lesson_id
           WHERE lt.lesson_id BETWEEN ? AND ? GROUP BY l.pilot_id, lt.theme_id, l.kind, l.audience
           ON CONFLICT (pilot_id, theme_id, kind, audience) DO UPDATE SET lessons = lessons + excluded.lessons""",
        [ids[0], ids[-1]],
    )
    db.execute("UPDATE data_versions SET version = version + ? WHERE area = 'lessons'", [written])
    for _, sql in triggers:
        db.execute(sql)
    return ids


def _stored_as(db: Database) -> list[tuple[str, type | None]] | None:
    """Return each column of ``lessons`` with the type a value written there reads back as (int or str).

    None when a column the run does not write has a default other than NULL, or a column has another affinity: the
    images are then read back from the store.
    """
    columns = []
    for _, name, declared, _, default, _ in db.execute("PRAGMA table_info(lessons)").fetchall():
        declared = declared.upper()
        kind = int if "INT" in declared else str if any(t in declared for t in ("CHAR", "CLOB", "TEXT")) else None
        if kind is None or (name not in (*_LESSON_VALUES, *_DEFAULTED) and name != "id" and default is not None):
            return None
        columns.append((name, kind))
    return columns


def _images(db: Database, columns, ids: range, rows: list[dict]) -> list[tuple[int, dict]]:
    """Return (id, after image) of new lessons, as :func:`lessons.ingest.images.row_image` would read them.

    Made from the values written when each reads back as written (text in a text column, a whole number in an
    integer one, or NULL), else read back.
    """
    images = []
    if columns is not None:
        for row_id, row in zip(ids, rows, strict=True):
            image = {
                name: row_id if name == "id" else (row.get(name) or _DEFAULTED[name]) if name in _DEFAULTED
                else row.get(name)
                for name, _ in columns
            }  # fmt: skip
            if not all(value is None or type(value) is kind for (_, kind), value in zip(columns, image.values())):
                break
            image["_themes"], image["_groups"] = row["_themes"], row["_groups"]
            images.append((row_id, image))
        else:
            return images
    cursor = db.execute("SELECT * FROM lessons WHERE id BETWEEN ? AND ? ORDER BY id", [ids[0], ids[-1]])
    images = []
    for image, row in zip(dicts(cursor), rows, strict=True):
        image["_themes"], image["_groups"] = row["_themes"], row["_groups"]
        images.append((image["id"], image))
    return images
