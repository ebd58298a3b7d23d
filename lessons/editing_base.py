"""What :mod:`lessons.editing` and :mod:`lessons.pilot_archive` share: the refusal an edit raises and a one-row read.

Kept apart so that neither imports the other back.
"""

from __future__ import annotations

from sqlite_utils import Database

__all__ = ["EditError", "one_row"]


class EditError(ValueError):
    """An edit that cannot be stored as given; the message says what to fix. Nothing was written."""


def one_row(db: Database, sql: str, params) -> dict | None:
    """Return the first row ``sql`` returns as a dict (column → value), or None when it returns none.

    Parameters
    ----------
    db : sqlite_utils.Database
        The store.
    sql : str
        A parameterised query.
    params : iterable
        Its parameters.

    Returns
    -------
    dict or None

    Examples
    --------
    >>> from lessons.store import open_memory_store
    >>> one_row(open_memory_store(), "SELECT code, position FROM phases WHERE position = ?", [1])
    {'code': 'initiate', 'position': 1}
    """
    cursor = db.execute(sql, list(params))
    row = cursor.fetchone()
    return None if row is None else dict(zip([c[0] for c in cursor.description], row))
