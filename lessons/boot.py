"""The boot path: open the store the app and the command line work on, creating it from the demo data if none.

It sits beside :mod:`lessons.store` (which it opens) and :mod:`lessons.demo` (which fills a new store); the store itself
does not import the demo, so it lives in a module of its own.
"""

from __future__ import annotations

from pathlib import Path

from lessons.demo import load_demo
from lessons.store import open_store, resolve_db_path


def ensure_store(path: str | Path | None = None):
    """Open the store at ``path``; when there is no database yet, create it from the demo data.

    ``path`` defaults as everywhere: ``$LESSONS_DB``, else ``data/lessons.db`` (:func:`lessons.store.resolve_db_path`).
    """
    path = resolve_db_path(path)
    fresh = not path.exists()
    db = open_store(path)
    if fresh:
        load_demo(db)
    return db
