"""What the participant's voting page reads about a workshop beyond :mod:`lessons.workshops`."""

from __future__ import annotations

from sqlite_utils import Database

__all__ = ["workshop_code_of"]


def workshop_code_of(db: Database, token: str) -> str:
    """Return the join code of the workshop a participant's token belongs to.

    Parameters
    ----------
    db : sqlite_utils.Database
        The store.
    token : str
        The participant's secret token (from joining).

    Returns
    -------
    str
        The workshop's code, or an empty string for an unknown token.

    Examples
    --------
    >>> from lessons.store import open_memory_store
    >>> workshop_code_of(open_memory_store(), "no-such-token")
    ''
    """
    row = db.execute(
        "SELECT w.code FROM participants p JOIN workshops w ON w.id = p.workshop_id WHERE p.token = ?", [token]
    ).fetchone()
    return row[0] if row else ""
