"""How the app's components reach the store: one read helper, one write helper, one way to word a refusal.

``components/`` opens no connection of its own and holds no SQL: it calls the domain functions of ``lessons`` on a
connection from :func:`reading` (read-only, ``file:...?mode=ro``: a page view can never write by mistake) or from
:func:`writing` (writable; with ``or_read_only=True`` it falls back to a read-only connection when the file cannot
be written, for results that are stored when possible and computed anyway when not). Connections are short-lived:
SQLite connections belong to the thread that opened them, and Streamlit runs each rerun on its own thread.

A write the domain refuses raises one of :data:`REFUSALS`; :func:`refusal` says in words why nothing was written.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from typing import NamedTuple

from sqlite_utils import Database

from lessons.accounts import AccountError
from lessons.editing import EditError
from lessons.i18n import _, ngettext, number
from lessons.ingest.problems import IngestError, UndoError
from lessons.lifecycle import LifecycleError
from lessons.model_authoring import ModelError
from lessons.permissions import PermissionDenied
from lessons.store import connect
from lessons.visibility import EVERYONE, Audience, scope
from lessons.workshops import WorkshopError

__all__ = ["REFUSALS", "Refusal", "StoreUnavailable", "reading", "refusal", "writing"]

#: The refusals of a domain write: nothing was written, and the user can be told why.
REFUSALS: tuple[type[Exception], ...] = (
    PermissionDenied,
    IngestError,
    AccountError,
    EditError,
    WorkshopError,
    UndoError,
    LifecycleError,
    ModelError,
)

#: Raised when the database cannot be read or written just now (locked by another writer past the busy timeout,
#: a read-only file, a missing file).
StoreUnavailable = sqlite3.OperationalError


@contextmanager
def reading(path: str | os.PathLike, audience: Audience | str = EVERYONE) -> Iterator[Database]:
    """Open a short-lived read-only connection to the store at ``path``, closed on leaving the block.

    Parameters
    ----------
    path : str or os.PathLike
        The database file; it must exist (a read-only connection never creates one).
    audience : Audience or str
        Who reads (an :class:`lessons.visibility.Audience` or its ``token``): the connection shows only the pilots,
        lessons and stories they may see (:func:`lessons.visibility.scope`). Every view a visitor or a signed-in
        user reaches passes theirs; :data:`lessons.visibility.EVERYONE` (the default) is for administrators'
        pages and the command line.

    Yields
    ------
    sqlite_utils.Database
        A connection opened with ``file:...?mode=ro``: any write through it raises.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from lessons.store import open_store
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "lessons.db"
    >>> open_store(path).close()
    >>> with reading(path) as db:
    ...     db["phases"].count
    5
    >>> with reading(path, "public") as db:
    ...     db["pilots"].count
    0
    """
    if isinstance(audience, str):
        audience = Audience.from_token(audience)
    with closing(connect(path, readonly=True)) as db, scope(db, audience):
        yield db


@contextmanager
def writing(path: str | os.PathLike, *, or_read_only: bool = False) -> Iterator[Database]:
    """Open a short-lived writable connection to the store at ``path``, closed on leaving the block.

    Parameters
    ----------
    path : str or os.PathLike
        The database file.
    or_read_only : bool
        When the file cannot be opened for writing, yield a read-only connection instead of raising: for analyses
        that are stored when they can be and computed without being kept when they cannot.

    Yields
    ------
    sqlite_utils.Database
        The connection.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from lessons.store import open_store
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "lessons.db"
    >>> open_store(path).close()
    >>> with writing(path) as db:
    ...     _ = db.execute("CREATE TABLE scratch (x)")
    >>> with reading(path) as db:
    ...     db["scratch"].exists()
    True
    """
    if or_read_only:
        try:
            db = connect(path)
        except Exception:  # a read-only file still gets the answer, just not stored
            db = connect(path, readonly=True)
    else:
        db = connect(path)
    with closing(db):
        yield db


class Refusal(NamedTuple):
    """How to tell the user a write was refused.

    Attributes
    ----------
    lead : str
        Fixed wording to show first (may be empty).
    reason : str
        The refusal's own words, which may quote user text: escape it before showing it as Markdown.
    denied : bool
        True when the user's role does not allow the write (rather than a problem with what was written).
    """

    lead: str
    reason: str
    denied: bool


def refusal(error: Exception) -> Refusal:
    """Word a refusal from :data:`REFUSALS` for the user.

    Parameters
    ----------
    error : Exception
        The refusal a domain write raised.

    Returns
    -------
    Refusal
        The lead, the reason and whether the role denied it.

    Examples
    --------
    >>> refusal(PermissionDenied("only administrators may delete pilots"))
    Refusal(lead='Not allowed: ', reason='only administrators may delete pilots', denied=True)
    >>> refusal(IngestError([]))
    Refusal(lead='Nothing was written: 0 problems were found.', reason='', denied=False)
    >>> refusal(EditError("The title is empty."))
    Refusal(lead='', reason='The title is empty.', denied=False)
    """
    if isinstance(error, PermissionDenied):
        return Refusal(_("Not allowed: "), str(error), True)
    if isinstance(error, IngestError):
        found = len(error.problems)
        lead = ngettext(
            "Nothing was written: {n} problem was found.", "Nothing was written: {n} problems were found.", found
        )
        return Refusal(lead.format(n=number(found)), "", False)
    return Refusal("", str(error), False)
