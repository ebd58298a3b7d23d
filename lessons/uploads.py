"""Rules about recorded uploads that the upload page asks about (the uploads themselves are written and undone by
:mod:`lessons.ingest.changes`)."""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["NOT_UNDONE_ONE_BY_ONE", "can_undo", "undoable"]

#: Upload formats that are not undone upload by upload: the demo and synthetic data (start a new database instead).
NOT_UNDONE_ONE_BY_ONE = ("demo", "synthetic")


def can_undo(upload: dict) -> bool:
    """Whether an upload may be undone: it is applied (not undone already) and it is not demo or synthetic data.

    Parameters
    ----------
    upload : dict
        An upload as :func:`lessons.ingest.changes.list_uploads` gives it (``status`` and ``format`` are read).

    Returns
    -------
    bool

    Examples
    --------
    >>> can_undo({"status": "applied", "format": "xlsx"}), can_undo({"status": "undone", "format": "xlsx"})
    (True, False)
    >>> can_undo({"status": "applied", "format": "demo"})
    False
    """
    return upload["status"] == "applied" and upload["format"] not in NOT_UNDONE_ONE_BY_ONE


def undoable(uploads: Iterable[dict]) -> list[int]:
    """The ids of the uploads that may be undone, in the order given.

    Parameters
    ----------
    uploads : iterable of dict
        Uploads as :func:`lessons.ingest.changes.list_uploads` gives them.

    Returns
    -------
    list of int

    Examples
    --------
    >>> undoable([{"id": 3, "status": "applied", "format": "csv"}, {"id": 1, "status": "applied", "format": "demo"}])
    [3]
    """
    return [upload["id"] for upload in uploads if can_undo(upload)]
