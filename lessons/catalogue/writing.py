"""Write a catalogue's entries and problem profiles: in one transaction, authorised, audited, idempotent.

An entry is found again by its code, a problem profile by its code: importing the same catalogue twice adds nothing
the second time, and a changed text replaces the old one. Entries and problems an import does not mention are left
as they are, with the lessons and pilots linked to them.
"""

from __future__ import annotations

from sqlite_utils import Database

from lessons.audit import record
from lessons.catalogue.records import Entry, ProblemProfile
from lessons.permissions import Actor, authorize

__all__ = ["save_catalogue"]

_ENTRY_COLUMNS = (
    "kind", "name", "description", "problem", "phase", "effort", "link", "source", "licence", "language", "catalogue",
)  # fmt: skip
_PROBLEM_COLUMNS = ("name", "description", "phase", "language", "source")


def _upsert(db: Database, table: str, code: str, values: dict) -> tuple[int, str]:
    """Insert or update the row of ``code``; return its id and ``added``, ``updated`` or ``unchanged``."""
    columns = list(values)
    row = db.execute(f"SELECT id, {', '.join(columns)} FROM {table} WHERE code = ?", [code]).fetchone()
    if row is None:
        cursor = db.execute(
            f"INSERT INTO {table} (code, {', '.join(columns)}) VALUES (?, {', '.join('?' * len(columns))})",
            [code, *values.values()],
        )
        return cursor.lastrowid, "added"
    if list(row[1:]) == list(values.values()):
        return row[0], "unchanged"
    stamp = ", updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')" if table == "catalogue_entries" else ""
    db.execute(
        f"UPDATE {table} SET {', '.join(f'{c} = ?' for c in columns)}{stamp} WHERE id = ?",
        [*values.values(), row[0]],
    )
    return row[0], "updated"


def _replace(db: Database, table: str, key: str, row_id: int, rows: list[tuple], columns: tuple[str, ...]) -> bool:
    """Make the rows of ``table`` for ``row_id`` exactly ``rows``; return whether anything changed."""
    have = set(db.execute(f"SELECT {', '.join(columns)} FROM {table} WHERE {key} = ?", [row_id]).fetchall())
    want = set(rows)
    if have == want:
        return False
    db.execute(f"DELETE FROM {table} WHERE {key} = ?", [row_id])
    marks = ", ".join("?" * (len(columns) + 1))
    for values in sorted(want):
        db.execute(f"INSERT INTO {table} ({key}, {', '.join(columns)}) VALUES ({marks})", [row_id, *values])
    return True


def save_catalogue(
    db: Database,
    actor: Actor | None,
    entries: list[Entry],
    problems: list[ProblemProfile] = (),
    *,
    catalogue: str,
    filename: str | None = None,
) -> dict[str, int]:
    """Write ``entries`` and ``problems`` in one transaction, recorded in the audit log as ``catalogue.import``.

    Parameters
    ----------
    db : Database
        The store.
    actor : Actor or None
        Who imports: an administrator or an editor (``catalogue.edit``); anyone else is refused before anything is
        read from the store.
    entries : list of Entry
        The entries, checked already (kinds, phases, efforts); their ``problems`` name problem profiles in
        ``problems`` or in the store.
    problems : list of ProblemProfile
        The problem profiles, written first.
    catalogue : str
        The catalogue's name in the audit log (``interlink``, a spreadsheet's file name).
    filename : str, optional
        What was imported (a folder, a file), for the audit log.

    Returns
    -------
    dict of str to int
        How many entries and problems were ``added``, ``updated`` and left ``unchanged`` (keys ``entries_added``,
        ``entries_updated``, ``entries_unchanged``, ``problems_added``, …).

    Examples
    --------
    >>> from lessons.store import open_memory_store
    >>> from lessons.permissions import Actor
    >>> db = open_memory_store()
    >>> one = [Entry("x-tool", "software", "X", source="test", catalogue="test")]
    >>> save_catalogue(db, Actor("ed", "editor"), one, catalogue="test")["entries_added"]
    1
    >>> save_catalogue(db, Actor("ed", "editor"), one, catalogue="test")["entries_unchanged"]
    1
    """
    authorize(actor, "catalogue.edit")
    counts = {f"{what}_{how}": 0 for what in ("entries", "problems") for how in ("added", "updated", "unchanged")}
    with db.atomic():
        problem_ids = {}
        for p in problems:
            values = {c: getattr(p, c) for c in _PROBLEM_COLUMNS}
            problem_ids[p.code], how = _upsert(db, "catalogue_problems", p.code, values)
            changed = _replace(
                db, "catalogue_problem_translations", "problem_id", problem_ids[p.code], p.translations,
                ("language", "field", "text"),
            )  # fmt: skip
            counts[f"problems_{'updated' if how == 'unchanged' and changed else how}"] += 1
        known = dict(db.execute("SELECT code, id FROM catalogue_problems").fetchall())
        for e in entries:
            values = {c: getattr(e, c) for c in _ENTRY_COLUMNS}
            entry_id, how = _upsert(db, "catalogue_entries", e.code, values)
            changed = _replace(
                db, "catalogue_translations", "entry_id", entry_id, e.translations, ("language", "field", "text")
            )
            changed |= _replace(
                db, "catalogue_entry_problems", "entry_id", entry_id, [(known[c],) for c in e.problems], ("problem_id",)
            )
            if how == "unchanged" and changed:
                how = "updated"
                db.execute(
                    "UPDATE catalogue_entries SET updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = ?",
                    [entry_id],
                )
            counts[f"entries_{how}"] += 1
        written = sum(v for k, v in counts.items() if not k.endswith("unchanged"))
        record(
            db, actor, "catalogue.import", object_type="catalogue", object_id=catalogue, rows=written,
            detail={"file": filename, **counts},
        )  # fmt: skip
    return counts
