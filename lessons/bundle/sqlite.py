"""The SQLite copy of the store as it may be published.

The sanitised snapshot every part of the bundle is made from (:func:`published_snapshot`), ``lessons.db``
(:func:`export_sqlite`) and its Datasette metadata.
"""

from __future__ import annotations

import contextlib
import io
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from sqlite_utils import Database

from lessons import privacy, visibility
from lessons.bundle.tables import (
    BLANKED,
    BLANKED_WHY,
    DATABASE_NAME,
    INTERNAL,
    LEFT_OUT,
    LICENSES,
    OMITTED,
    SHARED,
    TITLE,
    WITHHELD,
    dictionary,
)
from lessons.store import connect

_COPY_BYTES = 1 << 20
_VACUUM_CACHE_KIB = 64 * 1024


def _sanitised_copy(db: Database, path: Path) -> None:
    """Write the store without secrets or accounts to the SQLite file ``path`` (see :func:`export_sqlite`)."""
    audience = visibility.current(db)
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        db.conn.backup(conn)
        conn.execute("PRAGMA journal_mode = DELETE")
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute("BEGIN")
        # The copy's triggers (data versions, search index) would fire once per row changed here; they are set
        # aside while it is cleaned and put back as they were (the copy still works as a store).
        triggers = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").fetchall()
        for name, _ in triggers:
            conn.execute(f'DROP TRIGGER "{name}"')
        for table in (*LEFT_OUT, "analysis_results"):
            conn.execute(f'DELETE FROM "{table}"')
        for table, kept in WITHHELD.items():
            conn.execute(f'DELETE FROM "{table}" WHERE NOT ({kept})')
        for table, columns in BLANKED.items():
            conn.execute(f'UPDATE "{table}" SET ' + ", ".join(f'"{c}" = NULL' for c in columns))
        conn.execute("UPDATE participants SET token = lower(hex(randomblob(16)))")
        visibility.prune_copy(conn, audience)  # only what the reader may see (a visitor: public records only)
        privacy.anonymise_copy(conn)  # nobody singled out: the one rule for every public output
        for _, sql in triggers:
            conn.execute(sql)
        conn.execute("COMMIT")
        conn.execute(f"PRAGMA cache_size = -{_VACUUM_CACHE_KIB}")  # a larger cache makes VACUUM ~10% faster
        conn.execute("VACUUM")
    finally:
        conn.close()


def write_sqlite(db: Database, out: BinaryIO) -> None:
    """Stream the sanitised SQLite copy of the store (:func:`export_sqlite`) into the binary file ``out``."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "lessons.db"
        _sanitised_copy(db, path)
        with open(path, "rb") as copy:
            shutil.copyfileobj(copy, out, _COPY_BYTES)


def export_sqlite(db: Database) -> bytes:
    """Return a consistent copy of the store without secrets or accounts, as the bytes of a SQLite file.

    The copy is taken with SQLite's backup API into a temporary file; the left-out tables are emptied, account
    columns emptied, participants' tokens replaced by fresh random values, and the file vacuumed so no deleted
    content stays in free pages. The full-text indexes are kept (Datasette offers search). The bundle and the
    command line stream the file instead of holding it (:func:`write_sqlite`).

    Parameters
    ----------
    db : Database
        The store (not inside an open transaction).

    Returns
    -------
    bytes
        The SQLite file, in rollback-journal mode (a single file).

    Examples
    --------
    >>> from lessons.store import open_memory_store
    >>> export_sqlite(open_memory_store())[:15]
    b'SQLite format 3'
    """
    out = io.BytesIO()
    write_sqlite(db, out)
    return out.getvalue()


def datasette_metadata(db: Database) -> dict:
    """Datasette metadata for ``lessons.db``: title, description and every shared table's columns described.

    Tables that are not shared (emptied) and internal tables are hidden; full-text search of lessons uses
    ``lessons_fts``. Open with ``datasette lessons.db -m metadata.json``.

    >>> from lessons.store import open_memory_store
    >>> meta = datasette_metadata(open_memory_store())
    >>> tables = meta["databases"]["lessons"]["tables"]
    >>> tables["lessons"]["fts_table"], tables["lessons"]["columns"]["title"], tables["users"]["hidden"]
    ('lessons_fts', 'a short headline', True)
    """
    docs = dictionary()
    tables: dict[str, dict] = {}
    for table in SHARED:
        entry = {"description": docs.get(table, {}).get("description", "")}
        columns = dict(docs.get(table, {}).get("columns", {}))
        for column in BLANKED.get(table, ()):
            why = BLANKED_WHY.get((table, column), "accounts are not shared")
            columns[column] = (columns.get(column, "") + f" (left empty: {why})").strip()
        for column in OMITTED.get(table, ()):
            columns[column] = "a random value linked to nothing (the real tokens are not shared)"
        entry["columns"] = columns
        tables[table] = entry
    tables["lessons"] |= {"fts_table": "lessons_fts", "fts_pk": "id"}
    for table, why in LEFT_OUT.items():
        tables[table] = {"description": f"Not shared, left empty: {why}.", "hidden": True}
    internal = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    for table in internal:
        if table in INTERNAL or table.startswith(("lessons_fts", "lessons_words", "lessons_stems")):
            tables[table] = {"description": "Internal: derived from the shared tables.", "hidden": True}
    meta = {
        "title": TITLE,
        "description": (
            "Lessons learned by pilots of co-created public services across a consortium, with their stakeholder "
            "networks, governance models and validation workshops. Every table and column is described."
        ),
        "source": TITLE,
        "databases": {
            DATABASE_NAME: {"description": "The shared data set (no accounts or secrets).", "tables": tables}
        },
    }
    if LICENSES:
        meta["license"] = LICENSES[0].get("title") or LICENSES[0]["name"]
        if LICENSES[0].get("path"):
            meta["license_url"] = LICENSES[0]["path"]
    return meta


@contextlib.contextmanager
def published_snapshot(db: Database) -> Iterator[Database]:
    """Open the store as it may be published, read-only; the copy is deleted when the block ends.

    It is the sanitised copy (:func:`_sanitised_copy`): no accounts or secrets, participants and votes under
    :mod:`lessons.privacy`.
    """
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "lessons.db"
        _sanitised_copy(db, path)
        snapshot = connect(path, readonly=True)
        try:
            yield snapshot
        finally:
            snapshot.close()
