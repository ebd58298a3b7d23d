"""Open, migrate and describe the SQLite store.

The database path is resolved the same way by the app and the CLI: an explicit path (``--db``), else the
environment variable ``LESSONS_DB``, else ``data/lessons.db`` in the project folder.
"""

from __future__ import annotations

import csv
import os
import sqlite3
from pathlib import Path

import pandas as pd
from sqlite_utils import Database

from lessons.i18n import N_, Labels
from lessons.migrations import migrations

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_DB = PROJECT_DIR / "data" / "lessons.db"
VOCABULARY_DIR = Path(__file__).resolve().parent / "vocabulary"
BUSY_TIMEOUT_MS = 5000

#: Tables users see (in Datasette, in ``stats``), in the order of PRODUCT.md.
TABLES = [
    "pilots",
    "lessons",
    "themes",
    "lesson_themes",
    "lesson_groups",
    "phases",
    "methodologies",
    "methodology_steps",
    "sectors",
    "organisations",
    "stakeholders",
    "lesson_stakeholders",
    "lesson_status_history",
    "ties",
    "two_mode_lists",
    "two_mode_actors",
    "two_mode_events",
    "two_mode_participations",
    "governance_models",
    "model_elements",
    "model_versions",
    "lesson_elements",
    "workshops",
    "statements",
    "participants",
    "votes",
    "statement_responses",
    "uploads",
    "upload_changes",
    "users",
    "user_pilots",
    "staff_sessions",
    "audit_log",
    "deleted_pilots",
    "catalogue_problems",
    "catalogue_entries",
    "catalogue_translations",
    "catalogue_problem_translations",
    "catalogue_entry_problems",
    "lesson_methods",
    "pilot_methods",
    "stories",
    "story_lessons",
    "story_images",
    "contributors",
    "contributions",
]

#: Derived tables: results computed from the tables above, stored so they are not recomputed on every view.
DERIVED_TABLES = ["analysis_results", "lesson_theme_counts"]

#: The sector of an actor whose sector the source does not give: counted apart, never a lesson's stakeholder group.
NOT_CLASSIFIED = "not_classified"
KINDS = ("enabler", "barrier", "recommendation", "insight")
STATUSES = ("draft", "submitted", "validated", "contested", "endorsed", "applied_elsewhere")
EVIDENCE_STRENGTHS = ("anecdotal", "observed", "measured", "evaluated")
#: How kinds and statuses are named to people (pages, exports, briefs).
KIND_LABELS = Labels(
    {
        "enabler": N_("Enabler"),
        "barrier": N_("Barrier"),
        "recommendation": N_("Recommendation"),
        "insight": N_("Insight"),
    }
)
STATUS_LABELS = Labels(
    {
        "draft": N_("Draft"),
        "submitted": N_("Submitted"),
        "validated": N_("Validated"),
        "contested": N_("Contested"),
        "endorsed": N_("Endorsed"),
        "applied_elsewhere": N_("Applied elsewhere"),
    }
)


def resolve_db_path(explicit: str | os.PathLike | None = None) -> Path:
    """Return the database path: ``explicit``, else ``$LESSONS_DB``, else ``data/lessons.db``.

    >>> resolve_db_path("stores/x.db")
    PosixPath('stores/x.db')
    """
    if explicit:
        return Path(explicit)
    env = os.environ.get("LESSONS_DB")
    if env:
        return Path(env)
    return DEFAULT_DB


def _configure(db: Database, *, readonly: bool = False) -> Database:
    db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    db.execute("PRAGMA foreign_keys = ON")
    if not readonly and not db.memory:
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = NORMAL")
    return db


def connect(path: str | os.PathLike, *, readonly: bool = False) -> Database:
    """Open a connection to an existing store without migrating it.

    Read-only connections (``file:...?mode=ro``) are what page loaders use: they can never write by mistake.
    """
    path = Path(path)
    if readonly:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        return _configure(Database(conn), readonly=True)
    return _configure(Database(path))


def migrate(db: Database) -> list[str]:
    """Apply pending migrations and seed the controlled vocabularies; return the names of migrations applied."""
    pending = [m.name for m in migrations.pending(db)]
    migrations.apply(db)
    seed_vocabulary(db)
    return pending


def open_store(path: str | os.PathLike | None = None) -> Database:
    """Open the store at ``path`` (resolved by :func:`resolve_db_path`), creating and migrating it as needed."""
    path = resolve_db_path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    db = connect(path)
    migrate(db)
    return db


def open_memory_store() -> Database:
    """Open a migrated in-memory store with the vocabularies, for tests and doctests.

    >>> db = open_memory_store()
    >>> db["phases"].count
    5
    """
    db = _configure(Database(memory=True))
    migrate(db)
    return db


def _read_vocabulary(name: str) -> list[dict]:
    with open(VOCABULARY_DIR / f"{name}.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def seed_vocabulary(db: Database) -> None:
    """Insert the controlled vocabularies where missing; rows a user has edited are left as they are."""
    with db.atomic():
        for table, pk in (("sectors", "code"), ("phases", "code"), ("methodologies", "code")):
            rows = _read_vocabulary(table)
            if table == "phases":
                for row in rows:
                    row["position"] = int(row["position"])
            db[table].insert_all(rows, pk=pk, ignore=True)
        themes = [dict(row, controlled=1) for row in _read_vocabulary("themes")]
        existing = {row["code"] for row in db.query("SELECT code FROM themes")}
        db["themes"].insert_all([t for t in themes if t["code"] not in existing])
        steps = _read_vocabulary("methodology_steps")
        have = {
            (r["methodology"], r["position"]) for r in db.query("SELECT methodology, position FROM methodology_steps")
        }
        db["methodology_steps"].insert_all(
            [dict(s, position=int(s["position"])) for s in steps if (s["methodology"], int(s["position"])) not in have]
        )


def data_version(db: Database, area: str | None = None) -> int:
    """Return a counter that grows whenever the data of ``area`` (or, without an area, of any area) changes.

    Loaders key their caches by it, so a cached view is reused until the data it shows changes.

    >>> db = open_memory_store()
    >>> before = data_version(db, "lessons")
    >>> _ = db["pilots"].insert({"slug": "x", "name": "X", "country": "FI"})
    >>> data_version(db, "lessons") > before
    True
    """
    if area is None:
        return db.execute("SELECT coalesce(sum(version), 0) FROM data_versions").fetchone()[0]
    row = db.execute("SELECT version FROM data_versions WHERE area = ?", [area]).fetchone()
    if row is None:
        raise ValueError(f"unknown data area {area!r}")
    return row[0]


def table_counts(db: Database) -> dict[str, int]:
    """Rows per user-facing table.

    >>> table_counts(open_memory_store())["themes"]
    13
    """
    return {table: db.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] for table in TABLES}


def is_empty(db: Database) -> bool:
    """Return True when the store holds no pilots (a fresh store, ready for the demo or an upload)."""
    return db.execute("SELECT count(*) FROM pilots").fetchone()[0] == 0


def frame(db: Database, sql: str, params=()) -> pd.DataFrame:
    """Run a query and return its rows as a data frame, one column per selected name (the one SQL-to-frame helper).

    Parameters
    ----------
    db : Database
        The store.
    sql : str
        A SELECT with ``?`` placeholders.
    params : sequence, optional
        The values of the placeholders.

    Returns
    -------
    pandas.DataFrame
        The rows; with none, the columns all the same.

    Examples
    --------
    >>> list(frame(open_memory_store(), "SELECT code, name FROM phases ORDER BY position LIMIT 2")["code"])
    ['initiate', 'understand']
    """
    cursor = db.execute(sql, list(params))
    return pd.DataFrame(cursor.fetchall(), columns=[c[0] for c in cursor.description])
