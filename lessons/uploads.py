"""Rules about recorded uploads that the upload page asks about.

The uploads themselves are written and undone by :mod:`lessons.ingest.changes`.
"""

from __future__ import annotations

from collections.abc import Iterable

from lessons.permissions import can

__all__ = ["NOT_UNDONE_ONE_BY_ONE", "can_undo", "undoable", "visible"]

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
    """Return the ids of the uploads that may be undone, in the order given.

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


def visible(uploads: Iterable[dict], actor) -> list[dict]:
    """Return the uploads ``actor`` is shown (and may try to undo).

    All for an administrator; for a coordinator those whose every pilot they coordinate; for a model editor those that
    changed no pilot (uploads of the model sheets).

    Parameters
    ----------
    uploads : iterable of dict
        Uploads as :func:`lessons.ingest.changes.list_uploads` gives them (``pilot_ids`` is read).
    actor : Actor
        Who looks.

    Returns
    -------
    list of dict

    Examples
    --------
    >>> from lessons.permissions import Actor
    >>> rows = [{"id": 2, "pilot_ids": "1"}, {"id": 1, "pilot_ids": None}]
    >>> [u["id"] for u in visible(rows, Actor("ana", "coordinator", frozenset({1})))]
    [2]
    >>> [u["id"] for u in visible(rows, Actor("eve", "editor"))]
    [1]
    """
    shown = []
    for upload in uploads:
        pilots = [int(p) for p in str(upload.get("pilot_ids") or "").split(",") if p]
        if pilots:
            ok = all(can(actor, "upload.undo", p) for p in pilots)
        else:
            ok = actor is not None and (actor.role == "admin" or can(actor, "model.edit"))
        if ok:
            shown.append(upload)
    return shown
