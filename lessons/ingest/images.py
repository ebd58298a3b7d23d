"""Row images: a row of the store as ``upload_changes`` keeps it before and after an upload.

Row images are read, written back and logged. The commit writes them, undo restores them, the preview and
:func:`~lessons.ingest.undo.pilot_content_hash` read them.
"""

from __future__ import annotations

import json

from sqlite_utils import Database

#: An image as JSON: ``json.dumps(image, default=str)``, its encoder made once instead of once an image.
_json = json.JSONEncoder(default=str).encode


def dicts(cursor) -> list[dict]:
    """Return the rows of ``cursor`` as dicts, column name to value."""
    names = [c[0] for c in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def row_key(table: str) -> str:
    """Return the column that identifies a row of ``table`` in ``upload_changes`` (lesson links have no id column)."""
    return "rowid" if table == "lesson_elements" else "id"


def row_image(db: Database, table: str, row_id: int) -> dict | None:
    """Read row ``row_id`` of ``table`` as a dict (a lesson with its theme ids and groups), or None when it is gone."""
    rows = dicts(db.execute(f"SELECT * FROM {table} WHERE {row_key(table)} = ?", [row_id]))
    if not rows:
        return None
    row = rows[0]
    if table == "lessons":
        row["_themes"] = sorted(
            r[0] for r in db.execute("SELECT theme_id FROM lesson_themes WHERE lesson_id = ?", [row_id])
        )
        row["_groups"] = sorted(
            r[0] for r in db.execute("SELECT sector FROM lesson_groups WHERE lesson_id = ?", [row_id])
        )
    return row


def write_row(db: Database, table: str, image: dict, *, row_id: int | None = None) -> int:
    """Insert (row_id None) or overwrite a row from an image; lessons' themes and groups come along."""
    columns = {k: v for k, v in image.items() if not k.startswith("_")}
    new = row_id is None
    if new:
        names = list(columns)
        row_id = db.execute(
            f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})", list(columns.values())
        ).lastrowid
    else:
        columns.pop("id", None)
        db.execute(
            f"UPDATE {table} SET {', '.join(f'{k} = ?' for k in columns)} WHERE {row_key(table)} = ?",
            [*columns.values(), row_id],
        )
    if table == "lessons" and "_themes" in image:
        if not new or "id" in columns:  # a row just given a new id has no links yet
            db.execute("DELETE FROM lesson_themes WHERE lesson_id = ?", [row_id])
            db.execute("DELETE FROM lesson_groups WHERE lesson_id = ?", [row_id])
        db.conn.executemany(
            "INSERT INTO lesson_themes (lesson_id, theme_id) VALUES (?, ?)", [(row_id, t) for t in image["_themes"]]
        )
        db.conn.executemany(
            "INSERT INTO lesson_groups (lesson_id, sector) VALUES (?, ?)", [(row_id, g) for g in image["_groups"]]
        )
    return row_id


def log_change(db: Database, upload_id: int, pilot_id, table: str, row_id: int, op: str, before, after) -> None:
    """Keep one change of an upload in ``upload_changes``: the row, the operation and its before and after images."""
    db.execute(
        "INSERT INTO upload_changes (upload_id, pilot_id, table_name, row_id, op, before, after) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            upload_id,
            pilot_id,
            table,
            row_id,
            op,
            _json(before) if before else None,
            _json(after) if after else None,
        ],
    )


def log_changes(db: Database, upload_id: int, pilot_id, table: str, op: str, afters: list[tuple[int, dict]]) -> None:
    """Keep many inserted rows of one table, as :func:`log_change` would one by one (one prepared statement)."""
    db.conn.executemany(
        "INSERT INTO upload_changes (upload_id, pilot_id, table_name, row_id, op, before, after) VALUES (?, ?, ?, ?, ?, NULL, ?)",
        ((upload_id, pilot_id, table, row_id, op, _json(after) if after else None)
         for row_id, after in afters),
    )  # fmt: skip
